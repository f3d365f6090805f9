/**
 * The only place that loads the native addon. The `.node` file lives in
 * `build/Release/` of this package; we find the package root by walking up from this
 * module, so the same code works from `src/` (tests) and from a bundled `dist/`.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import type { Addon } from "./AddonTypes.js";

const PACKAGE_NAME = "@gmeta/tensor";
const ADDON_FILE = join("build", "Release", "gmeta_tensor.node");

function findPackageRoot(start: string): string | undefined {
  let dir = start;
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        const { name } = JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown };
        if (name === PACKAGE_NAME) return dir;
      } catch {
        // An unreadable package.json on the way up is not ours; keep walking.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function loadError(what: string, cause?: unknown): Error {
  const detail = cause instanceof Error ? cause.message : cause === undefined ? "" : String(cause);
  const lines = [
    `@gmeta/tensor: could not load the native addon: ${what}`,
    ...(detail ? [`  ${detail}`] : []),
    "Possible solutions:",
    "  - run `npm run bootstrap` at the repository root (installs system packages and builds everything)",
    "  - install OpenBLAS (Debian / Ubuntu: `apt-get install libopenblas-dev`)",
    "  - rebuild the addon: `npm run build:native -w @gmeta/tensor`",
  ];
  return new Error(lines.join("\n"), cause === undefined ? undefined : { cause });
}

function loadAddon(): Addon {
  // A bundled program copied elsewhere (the GPU check) names the .node file directly.
  const override = process.env.GMETA_TENSOR_ADDON;
  if (override) {
    if (!existsSync(override)) throw loadError(`GMETA_TENSOR_ADDON=${override} does not exist`);
    try {
      return createRequire(import.meta.url)(override) as Addon;
    } catch (err) {
      throw loadError(`${override} (GMETA_TENSOR_ADDON) failed to load`, err);
    }
  }
  const here = dirname(fileURLToPath(import.meta.url));
  const root = findPackageRoot(here);
  if (root === undefined) {
    throw loadError(`no package.json named ${PACKAGE_NAME} above ${here}`);
  }
  const file = join(root, ADDON_FILE);
  if (!existsSync(file)) throw loadError(`${file} does not exist (the addon was not built)`);
  try {
    return createRequire(import.meta.url)(file) as Addon;
  } catch (err) {
    throw loadError(`${file} failed to load`, err);
  }
}

/** The loaded native addon; importing this module loads it once. */
export const addon: Addon = loadAddon();
