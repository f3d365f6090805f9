// The shared addon loader (used by tensor, collectives and embedding): where it looks and
// what it says when it cannot load. Needs no native code.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

import { afterAll, describe, expect, it } from "vitest";

import { loadNative, nativeBuildDir } from "../src/native/nativeLoader.js";
import type { NativePackage } from "../src/native/nativeLoader.js";

const dir = mkdtempSync(join(tmpdir(), "gmeta-loader-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pkg = (over: Partial<NativePackage> = {}): NativePackage => ({
  name: "@gmeta/example",
  from: pathToFileURL(join(dir, "src", "native", "binding.js")).href,
  buildDirVariable: "GMETA_EXAMPLE_BUILD_DIR",
  solutions: ["build it", "install its libraries"],
  ...over,
});

describe("the shared native loader", () => {
  it("finds build/Release of the package named above the module", () => {
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "@gmeta/example" }));
    expect(nativeBuildDir(pkg())).toBe(join(dir, "build", "Release"));
  });

  it("a missing addon is one error naming the file and every way out", () => {
    expect(() => loadNative(pkg(), "example.node")).toThrow(
      `@gmeta/example: could not load the native addon: ${join(dir, "build", "Release", "example.node")} does not exist (the addon was not built)\n` +
        "Possible solutions:\n  - build it\n  - install its libraries",
    );
  });

  it("a file that is not an addon says it failed to load, with the loader's reason", () => {
    writeFileSync(join(dir, "junk.node"), "not a shared object");
    process.env.GMETA_EXAMPLE_BUILD_DIR = dir;
    try {
      expect(nativeBuildDir(pkg())).toBe(dir);
      expect(() => loadNative(pkg(), "junk.node")).toThrow(new RegExp(`^@gmeta/example: could not load the native addon: ${join(dir, "junk.node")} failed to load\\n  .+\\nPossible solutions:`));
    } finally {
      delete process.env.GMETA_EXAMPLE_BUILD_DIR;
    }
  });

  it("no package of that name above the module is said, with the variable to set", () => {
    expect(() => nativeBuildDir(pkg({ name: "@gmeta/nowhere" }))).toThrow(
      /^@gmeta\/nowhere: could not load the native addon: no package.json named @gmeta\/nowhere above .+ \(or set GMETA_EXAMPLE_BUILD_DIR\)/,
    );
  });
});
