/**
 * The install step of the @gmeta packages with native addons: nothing to do when the prebuilt
 * addons load; otherwise a source build of the shipped native/ and CMakeLists.txt. The build
 * tools (cmake-js, node-addon-api) are not runtime dependencies: they are taken from the
 * project when it has them, else installed into a temporary folder for this build only.
 * It never fails `npm install` (GMETA_STRICT_INSTALL=1, set by `gmeta-build-native`, makes it
 * exit 1): what cannot be loaded is said here and again, with every way out, when the addon is
 * first used (and by `gmeta info`). npm 11 warns about dependency install scripts that the
 * project's `allowScripts` does not list and means to block them, so the prebuilds are the path
 * that needs no script at all and `gmeta-build-native` the source build that needs no permission.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, sep } from "node:path";

import { type NativePackage, nativePackageRoot, nativeStatus, nativeTarget } from "./nativeLoader.js";

/** @internal One addon a package installs; optional ones (MPI) do not trigger a source build. */
export interface InstallAddon {
  file: string;
  optional?: boolean;
}

/** The versions the monorepo builds with (root package-lock), used when the project has none. */
const BUILD_TOOLS = { "cmake-js": "8.0.0", "node-addon-api": "8.9.2" } as const;

function log(pkg: NativePackage, msg: string): void {
  process.stderr.write(`${pkg.name}: ${msg}\n`);
}

function has(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

// napi.h sits at the package's root; its own `include_dir` is relative to the current folder,
// which is not where CMake resolves it.
function addonApiDir(req: NodeJS.Require): string {
  return dirname(req.resolve("node-addon-api/package.json"));
}

/** cmake-js and node-addon-api: the project's own when it has them, else a throwaway install. */
function buildTools(pkg: NativePackage, root: string): { cmakeJs: string; addonApi: string; cleanup: () => void } | string {
  const req = createRequire(join(root, "package.json"));
  try {
    const cmakeJs = join(dirname(req.resolve("cmake-js/package.json")), "bin", "cmake-js");
    return { cmakeJs, addonApi: addonApiDir(req), cleanup: () => {} };
  } catch {
    // Not in the project: fetch them below.
  }
  const dir = mkdtempSync(join(tmpdir(), "gmeta-build-tools-"));
  const specs = Object.entries(BUILD_TOOLS).map(([n, v]) => `${n}@${v}`);
  log(pkg, `installing the build tools ${specs.join(" ")} into a temporary folder`);
  const npm = process.env.npm_execpath;
  const cmd = npm ? process.execPath : "npm";
  const args = [...(npm ? [npm] : []), "install", "--no-save", "--no-package-lock", "--no-audit", "--no-fund", "--ignore-scripts", "--prefix", dir, ...specs];
  const r = spawnSync(cmd, args, { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, npm_config_global: "false" } });
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return `could not install ${specs.join(" ")} (npm exited with ${r.status ?? r.signal}); install them in your project (\`npm install --save-dev ${specs.join(" ")}\`) and run the rebuild again`;
  }
  return {
    cmakeJs: join(dir, "node_modules", "cmake-js", "bin", "cmake-js"),
    addonApi: addonApiDir(createRequire(join(dir, "package.json"))),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Builds the package's addons into `<package>/build/Release`; returns an error line or "". */
export function buildFromSource(pkg: NativePackage, root: string): string {
  const tools = ["cmake", "make", "pkg-config"].filter((t) => !has(t));
  if (!has("c++") && !has("g++")) tools.push("g++");
  if (tools.length) {
    return `cannot build from source: ${tools.join(", ")} not found (Debian / Ubuntu: \`apt-get install ${(pkg.buildPackages ?? tools).join(" ")}\`)`;
  }
  const t = buildTools(pkg, root);
  if (typeof t === "string") return t;
  try {
    log(pkg, `building the native addon from source (${nativeTarget()}); this takes a minute or two`);
    const args = [t.cmakeJs, "compile", "--release", "--directory", root, "--out", join(root, "build"), `--CDNODE_ADDON_API_DIR=${t.addonApi}`, "--CDGMETA_BUILD_TOOLS=OFF"];
    const r = spawnSync(process.execPath, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
    if (r.status !== 0) {
      return `the source build failed (cmake-js exited with ${r.status ?? r.signal}); the output above says why (often a missing -dev package: \`apt-get install ${(pkg.buildPackages ?? []).join(" ")}\`)`;
    }
    return "";
  } finally {
    t.cleanup();
  }
}

/**
 * The `install` script of a native package: loads each addon; builds from source when a
 * required one does not load (or GMETA_BUILD_FROM_SOURCE=1); says what is still unusable.
 * Returns whether every required addon loads.
 */
export function installNative(pkg: NativePackage, addons: readonly InstallAddon[]): boolean {
  const root = nativePackageRoot(pkg);
  // A source checkout builds its addons with the package's own build script.
  if (!root.split(sep).includes("node_modules")) return true;
  if (process.env.GMETA_SKIP_NATIVE_INSTALL === "1") return true;
  const force = process.env.GMETA_BUILD_FROM_SOURCE === "1" || process.env.npm_config_build_from_source === "true";
  let statuses = addons.map((a) => ({ ...a, status: nativeStatus(pkg, a.file) }));
  const needsBuild = force || statuses.some((s) => !s.optional && !s.status.usable);
  if (needsBuild) {
    if (!force) for (const s of statuses.filter((x) => !x.status.usable)) process.stderr.write(`${s.status.reason.split("\n")[0]}\n`);
    const err = buildFromSource(pkg, root);
    if (err) log(pkg, err);
    statuses = addons.map((a) => ({ ...a, status: nativeStatus(pkg, a.file) }));
  }
  for (const s of statuses) {
    if (s.status.usable) log(pkg, `${s.status.addon}: ${s.status.location?.kind === "prebuild" ? "prebuilt" : "built from source"} (${s.status.location?.path})`);
    else log(pkg, `${s.status.addon} is not usable${s.optional ? " (optional)" : ""}:\n${s.status.reason}`);
  }
  return statuses.every((s) => s.optional || s.status.usable);
}
