/**
 * Finding and loading a package's native addons, shared by the @gmeta packages that have one
 * (this one, collectives, embedding). Where an addon comes from, first match wins:
 *   1. `$buildDirVariable/<addon>.node` when that variable is set (an addon built elsewhere);
 *   2. `<package>/build/Release/<addon>.node` (a source build: the monorepo, or the install
 *      script's fallback);
 *   3. `<package>/prebuilds/<platform>-<arch>/<addon>.<tags>.node`, chosen by node-gyp-build's
 *      own tag rules (napi, glibc / musl), the way prebuildify lays prebuilds out.
 * node-gyp-build alone picks one addon per folder; collectives ships two (Gloo and MPI), so the
 * files are filtered by addon name first and node-gyp-build's matchers do the rest.
 * A load that fails is diagnosed: `ldd` names every missing system library, mapped to the
 * Debian / Ubuntu package that holds it, beside the source-build command.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { arch, platform } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** @internal Where a package's addons are and what to tell a user who cannot load them. */
export interface NativePackage {
  /** The npm name, e.g. "@gmeta/embedding": the package.json looked for above `from`. */
  name: string;
  /** `import.meta.url` of a module inside the package. */
  from: string;
  /** An environment variable that names the folder of the `.node` files instead. */
  buildDirVariable: string;
  /** Shared libraries the addons link against that a plain system may lack: soname → Debian / Ubuntu package. */
  systemLibraries?: Readonly<Record<string, string>>;
  /** Debian / Ubuntu packages a source build needs (compiler, cmake, the -dev packages). */
  buildPackages?: readonly string[];
  /** More ways out, one line each, added after the ones the loader works out itself. */
  solutions?: readonly string[];
}

/** @internal Where an addon was found: a prebuilt file, a source build, or the override folder. */
export interface NativeLocation {
  path: string;
  kind: "prebuild" | "build" | "override";
}

/** @internal Whether one addon loads here, and why not when it does not. */
export interface NativeStatus {
  addon: string;
  usable: boolean;
  /** Set when a file was found (even one that failed to load). */
  location?: NativeLocation;
  /** Empty when usable: the full error, every way out included. */
  reason: string;
  /** Sonames `ldd` reported missing. */
  missingLibraries: string[];
}

interface Tags {
  file: string;
}
interface NodeGypBuild {
  parseTags(file: string): Tags | undefined;
  matchTags(runtime: string, abi: string): (t: Tags | undefined) => boolean;
  compareTags(runtime: string): (a: Tags, b: Tags) => number;
  parseTuple(name: string): { name: string } | undefined;
  matchTuple(platform: string, arch: string): (t: { name: string } | undefined) => boolean;
  compareTuples(a: { name: string }, b: { name: string }): number;
}

const requireHere = createRequire(import.meta.url);
let ngb: NodeGypBuild | undefined;
function nodeGypBuild(): NodeGypBuild {
  ngb ??= requireHere("node-gyp-build") as NodeGypBuild;
  return ngb;
}

function findPackageRoot(start: string, name: string): string | undefined {
  let dir = start;
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown }).name === name) return dir;
      } catch {
        // An unreadable package.json on the way up is not ours; keep walking.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** @internal The folder of the package that holds `pkg.from`. */
export function nativePackageRoot(pkg: NativePackage): string {
  const here = dirname(fileURLToPath(pkg.from));
  const root = findPackageRoot(here, pkg.name);
  if (root === undefined) throw nativeLoadError(pkg, `no package.json named ${pkg.name} above ${here} (or set ${pkg.buildDirVariable})`);
  return root;
}

function readdir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The libc the prebuilds are tagged with: node-gyp-build's own rule (musl where Alpine says so). */
function libc(): string {
  return process.env.LIBC ?? (platform() === "linux" && existsSync("/etc/alpine-release") ? "musl" : "glibc");
}

/** The target a prebuild must match, as said in errors. */
export function nativeTarget(): string {
  return `${platform()}-${arch()} ${libc()}, Node-API (node ${process.versions.node})`;
}

/** @internal The best prebuilt `<addon>.*.node` under `<root>/prebuilds` for this platform, by node-gyp-build's rules. */
export function findPrebuild(root: string, addon: string): string | undefined {
  const g = nodeGypBuild();
  const base = join(root, "prebuilds");
  const tuples = readdir(base).map((n) => g.parseTuple(n)).filter((t): t is { name: string } => g.matchTuple(platform(), arch())(t));
  const tuple = tuples.sort((a, b) => g.compareTuples(a, b))[0];
  if (!tuple) return undefined;
  const dir = join(base, tuple.name);
  const files = readdir(dir).filter((f) => f.startsWith(`${addon}.`) && f !== `${addon}.node`);
  const matches = g.matchTags("node", process.versions.modules);
  const order = g.compareTags("node");
  const winner = files.map((f) => g.parseTags(f)).filter((t): t is Tags => matches(t)).sort((a, b) => order(a, b))[0];
  return winner ? join(dir, winner.file) : undefined;
}

function addonName(file: string): string {
  return file.endsWith(".node") ? file.slice(0, -".node".length) : file;
}

/** @internal Where `addon` (e.g. "gmeta_tensor") would be loaded from, or undefined with nothing found. */
export function locateNative(pkg: NativePackage, file: string): NativeLocation | undefined {
  const addon = addonName(file);
  const override = process.env[pkg.buildDirVariable];
  if (override) {
    const path = join(override, `${addon}.node`);
    return existsSync(path) ? { path, kind: "override" } : undefined;
  }
  const root = nativePackageRoot(pkg);
  const built = join(root, "build", "Release", `${addon}.node`);
  if (existsSync(built)) return { path: built, kind: "build" };
  const pre = findPrebuild(root, addon);
  return pre ? { path: pre, kind: "prebuild" } : undefined;
}

/** Sonames the dynamic linker cannot find for `path` (empty where `ldd` is absent). */
export function missingLibraries(path: string): string[] {
  if (platform() !== "linux") return [];
  const r = spawnSync("ldd", [path], { encoding: "utf8", timeout: 10_000 });
  if (r.status === null || typeof r.stdout !== "string") return [];
  return [...r.stdout.matchAll(/^\s*(\S+)\s+=>\s+not found/gm)].map((m) => m[1]!);
}

function sourceBuildLines(pkg: NativePackage): string[] {
  const apt = pkg.buildPackages?.length ? ` (needs ${pkg.buildPackages.join(" ")}: \`apt-get install ${pkg.buildPackages.join(" ")}\`; cmake-js and node-addon-api are fetched for the build)` : "";
  return [
    `build it from the shipped sources: \`npx gmeta-build-native ${pkg.name}\`${apt}`,
    `or let npm run the package's install step, which builds when no prebuilt addon loads: \`npm install-scripts approve ${pkg.name}\`, then \`npm rebuild ${pkg.name}\``,
  ];
}

/** @internal One error with what failed, why, and every way out. */
export function nativeLoadError(pkg: NativePackage, what: string, cause?: unknown, extra: readonly string[] = []): Error {
  const detail = cause instanceof Error ? cause.message : cause === undefined ? "" : String(cause);
  const lines = [
    `${pkg.name}: could not load the native addon: ${what}`,
    ...(detail ? [`  ${detail.split("\n")[0]}`] : []),
    "Possible solutions:",
    ...[...extra, ...(pkg.solutions ?? [])].map((s) => `  - ${s}`),
  ];
  return new Error(lines.join("\n"), cause === undefined ? undefined : { cause });
}

/** @internal The folder of a package's source-built files: `$buildDirVariable`, else `<package>/build/Release`. */
export function nativeBuildDir(pkg: NativePackage): string {
  const dir = process.env[pkg.buildDirVariable];
  if (dir) return dir;
  return join(nativePackageRoot(pkg), "build", "Release");
}

function tryLoad<T>(pkg: NativePackage, file: string): { value?: T; status: NativeStatus } {
  const addon = addonName(file);
  const location = locateNative(pkg, file);
  if (!location) {
    const override = process.env[pkg.buildDirVariable];
    const what = override
      ? `${join(override, `${addon}.node`)} does not exist (${pkg.buildDirVariable} names that folder)`
      : `no prebuilt ${addon} for ${nativeTarget()} in ${join(nativePackageRoot(pkg), "prebuilds")} and no source build in ${join(nativePackageRoot(pkg), "build", "Release")}`;
    const ways = [...sourceBuildLines(pkg), `or set ${pkg.buildDirVariable} to a folder holding ${addon}.node built elsewhere`];
    return { status: { addon, usable: false, reason: nativeLoadError(pkg, what, undefined, ways).message, missingLibraries: [] } };
  }
  try {
    return { value: createRequire(pkg.from)(location.path) as T, status: { addon, usable: true, location, reason: "", missingLibraries: [] } };
  } catch (err) {
    const missing = missingLibraries(location.path);
    const known = pkg.systemLibraries ?? {};
    const debs = [...new Set(missing.map((s) => known[s]).filter((d): d is string => d !== undefined))];
    const ways: string[] = [];
    if (missing.length) {
      ways.push(
        debs.length
          ? `install the system libraries it needs (missing: ${missing.join(", ")}): \`apt-get install ${debs.join(" ")}\` (Debian / Ubuntu)`
          : `install the system libraries it needs (missing: ${missing.join(", ")}), or add their folder to LD_LIBRARY_PATH`,
      );
    }
    const glibc = /GLIBC_[0-9.]+/.exec(err instanceof Error ? err.message : "");
    if (glibc && location.kind === "prebuild") ways.push(`this prebuilt addon needs ${glibc[0]} or newer, which this system lacks: build from source (next lines)`);
    ways.push(...sourceBuildLines(pkg));
    const what = `${location.path} (${location.kind === "prebuild" ? "prebuilt" : location.kind === "build" ? "source build" : pkg.buildDirVariable}) failed to load${missing.length ? ` (missing ${missing.join(", ")})` : ""}`;
    return { status: { addon, usable: false, location, reason: nativeLoadError(pkg, what, err, ways).message, missingLibraries: missing } };
  }
}

/** @internal Loads an addon (`"gmeta_tensor"` or `"gmeta_tensor.node"`), or throws naming every way out. */
export function loadNative<T>(pkg: NativePackage, file: string): T {
  const r = tryLoad<T>(pkg, file);
  if (!r.status.usable) throw new Error(r.status.reason);
  return r.value as T;
}

/** @internal Tries to load an addon and says whether it works, where it was found and why not; never throws. */
export function nativeStatus(pkg: NativePackage, file: string): NativeStatus {
  try {
    return tryLoad(pkg, file).status;
  } catch (err) {
    return { addon: addonName(file), usable: false, reason: err instanceof Error ? err.message : String(err), missingLibraries: [] };
  }
}
