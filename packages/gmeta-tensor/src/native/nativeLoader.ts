/**
 * Finding and loading a package's native addon, shared by the @gmeta packages that have one
 * (this one, collectives, embedding): the `.node` files live in `build/Release/` of the
 * package, found by walking up from a module of it, so the same code works from `src/`
 * (tests) and `dist/`; a bundled program copied elsewhere names the folder instead.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
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
  /** Ways out, one line each, for the error when loading fails. */
  solutions: readonly string[];
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

/** @internal One error with what failed, why, and every way out. */
export function nativeLoadError(pkg: NativePackage, what: string, cause?: unknown): Error {
  const detail = cause instanceof Error ? cause.message : cause === undefined ? "" : String(cause);
  const lines = [
    `${pkg.name}: could not load the native addon: ${what}`,
    ...(detail ? [`  ${detail}`] : []),
    "Possible solutions:",
    ...pkg.solutions.map((s) => `  - ${s}`),
  ];
  return new Error(lines.join("\n"), cause === undefined ? undefined : { cause });
}

/** @internal The folder of a package's `.node` files: `$buildDirVariable`, else `<package>/build/Release`. */
export function nativeBuildDir(pkg: NativePackage): string {
  const dir = process.env[pkg.buildDirVariable];
  if (dir) return dir;
  const here = dirname(fileURLToPath(pkg.from));
  const root = findPackageRoot(here, pkg.name);
  if (root === undefined) throw nativeLoadError(pkg, `no package.json named ${pkg.name} above ${here} (or set ${pkg.buildDirVariable})`);
  return join(root, "build", "Release");
}

/** @internal Loads `file` from the package's build folder, or throws naming every way out. */
export function loadNative<T>(pkg: NativePackage, file: string): T {
  const path = join(nativeBuildDir(pkg), file);
  if (!existsSync(path)) throw nativeLoadError(pkg, `${path} does not exist (the addon was not built)`);
  try {
    return createRequire(pkg.from)(path) as T;
  } catch (err) {
    throw nativeLoadError(pkg, `${path} failed to load`, err);
  }
}
