// The shared addon loader (used by tensor, collectives and embedding): where it looks, which
// prebuild it picks, and what it says when it cannot load. Needs no addon of this package.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

import { afterAll, describe, expect, it } from "vitest";

import { findPrebuild, loadNative, locateNative, nativeBuildDir, nativeStatus } from "../src/native/nativeLoader.js";
import type { NativePackage } from "../src/native/nativeLoader.js";

const dir = mkdtempSync(join(tmpdir(), "gmeta-loader-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pkg = (over: Partial<NativePackage> = {}): NativePackage => ({
  name: "@gmeta/example",
  from: pathToFileURL(join(dir, "src", "native", "binding.js")).href,
  buildDirVariable: "GMETA_EXAMPLE_BUILD_DIR",
  systemLibraries: { "libgmeta_gone.so": "libgmeta-gone1" },
  buildPackages: ["cmake", "g++"],
  ...over,
});

describe("the shared native loader", () => {
  it("finds build/Release of the package named above the module", () => {
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "@gmeta/example" }));
    expect(nativeBuildDir(pkg())).toBe(join(dir, "build", "Release"));
  });

  it("no addon at all is one error naming where it looked and every way out", () => {
    expect(() => loadNative(pkg(), "example.node")).toThrow(
      new RegExp(
        `^@gmeta/example: could not load the native addon: no prebuilt example for linux-x64 glibc, .+ in ${join(dir, "prebuilds")} and no source build in ${join(dir, "build", "Release")}\\n` +
          "Possible solutions:\\n  - build it from the shipped sources: `npx gmeta-build-native @gmeta/example` \\(needs cmake g\\+\\+: `apt-get install cmake g\\+\\+`",
      ),
    );
  });

  it("picks the prebuild of the named addon by node-gyp-build's tags; a source build wins over it", () => {
    const pre = join(dir, "prebuilds", "linux-x64");
    mkdirSync(pre, { recursive: true });
    for (const f of ["example.napi.glibc.node", "example.napi.musl.node", "example_other.napi.glibc.node", "notes.txt"]) writeFileSync(join(pre, f), "");
    mkdirSync(join(dir, "prebuilds", "darwin-arm64"), { recursive: true });
    writeFileSync(join(dir, "prebuilds", "darwin-arm64", "example.napi.node"), "");
    expect(findPrebuild(dir, "example")).toBe(join(pre, "example.napi.glibc.node"));
    expect(findPrebuild(dir, "example_other")).toBe(join(pre, "example_other.napi.glibc.node"));
    expect(findPrebuild(dir, "absent")).toBeUndefined();
    expect(locateNative(pkg(), "example.node")).toEqual({ path: join(pre, "example.napi.glibc.node"), kind: "prebuild" });
    mkdirSync(join(dir, "build", "Release"), { recursive: true });
    writeFileSync(join(dir, "build", "Release", "example.node"), "");
    expect(locateNative(pkg(), "example")).toEqual({ path: join(dir, "build", "Release", "example.node"), kind: "build" });
    rmSync(join(dir, "build"), { recursive: true });
  });

  it("a file that is not an addon says it failed to load, with the loader's reason", () => {
    writeFileSync(join(dir, "junk.node"), "not a shared object");
    process.env.GMETA_EXAMPLE_BUILD_DIR = dir;
    try {
      expect(nativeBuildDir(pkg())).toBe(dir);
      expect(() => loadNative(pkg(), "junk.node")).toThrow(
        new RegExp(`^@gmeta/example: could not load the native addon: ${join(dir, "junk.node")} \\(GMETA_EXAMPLE_BUILD_DIR\\) failed to load\\n  .+\\nPossible solutions:`),
      );
      const s = nativeStatus(pkg(), "junk");
      expect(s.usable).toBe(false);
      expect(s.location?.kind).toBe("override");
    } finally {
      delete process.env.GMETA_EXAMPLE_BUILD_DIR;
    }
  });

  const cc = spawnSync("sh", ["-c", "command -v cc"]).status === 0;
  it.skipIf(!cc)("a prebuild whose system library is missing names the library and the apt package (skipped without a C compiler)", () => {
    // A real shared object that needs a library which is then removed: what a prebuild meets on
    // a machine without OpenBLAS / Gloo / MPI.
    const work = join(dir, "lib");
    mkdirSync(work, { recursive: true });
    writeFileSync(join(work, "gone.c"), "int gmeta_gone(void) { return 1; }\n");
    writeFileSync(join(work, "addon.c"), "int gmeta_gone(void);\nint gmeta_uses(void) { return gmeta_gone(); }\n");
    const pre = join(dir, "prebuilds", "linux-x64");
    const sh = (cmd: string): void => {
      const r = spawnSync("sh", ["-c", cmd], { cwd: work, encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
    };
    sh("cc -shared -fPIC -o libgmeta_gone.so gone.c");
    sh(`cc -shared -fPIC -o ${join(pre, "needy.napi.glibc.node")} addon.c -L. -lgmeta_gone`);
    rmSync(join(work, "libgmeta_gone.so"));
    const s = nativeStatus(pkg(), "needy");
    expect(s.usable).toBe(false);
    expect(s.missingLibraries).toEqual(["libgmeta_gone.so"]);
    expect(s.reason).toMatch(/\(prebuilt\) failed to load \(missing libgmeta_gone\.so\)/);
    expect(s.reason).toContain("install the system libraries it needs (missing: libgmeta_gone.so): `apt-get install libgmeta-gone1` (Debian / Ubuntu)");
    expect(s.reason).toContain("`npx gmeta-build-native @gmeta/example`");
  });

  it("no package of that name above the module is said, with the variable to set", () => {
    expect(() => nativeBuildDir(pkg({ name: "@gmeta/nowhere" }))).toThrow(
      /^@gmeta\/nowhere: could not load the native addon: no package.json named @gmeta\/nowhere above .+ \(or set GMETA_EXAMPLE_BUILD_DIR\)/,
    );
  });
});
