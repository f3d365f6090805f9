/**
 * The only place that loads this package's native addon (`build/Release/gmeta_embedding.node`),
 * found by walking up to the package root so the same code works from `src/` and `dist/`.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import type { Addon } from "./AddonTypes.js";

const PACKAGE_NAME = "@gmeta/embedding";
const ADDON_FILE = join("build", "Release", "gmeta_embedding.node");

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
  const detail = cause instanceof Error ? cause.message : "";
  const lines = [
    `@gmeta/embedding: could not load the native addon: ${what}`,
    ...(detail ? [`  ${detail}`] : []),
    "Possible solutions:",
    "  - run `npm run bootstrap` at the repository root (builds everything)",
    "  - rebuild the addon: `npm run build:native -w @gmeta/embedding`",
    "  - check that cmake and a C++17 compiler are installed",
  ];
  return new Error(lines.join("\n"), cause === undefined ? undefined : { cause });
}

function loadAddon(): Addon {
  // A bundled program copied elsewhere (the GPU check) names the folder of the .node file.
  const override = process.env.GMETA_EMBEDDING_BUILD_DIR;
  const here = dirname(fileURLToPath(import.meta.url));
  const root = override ? undefined : findPackageRoot(here);
  if (!override && root === undefined) throw loadError(`no package.json named ${PACKAGE_NAME} above ${here}`);
  const file = override ? join(override, "gmeta_embedding.node") : join(root!, ADDON_FILE);
  if (!existsSync(file)) throw loadError(`${file} does not exist (the addon was not built)`);
  try {
    return createRequire(import.meta.url)(file) as Addon;
  } catch (err) {
    throw loadError(`${file} failed to load`, err);
  }
}

/** The loaded native addon; importing this module loads it once. */
export const addon: Addon = loadAddon();
