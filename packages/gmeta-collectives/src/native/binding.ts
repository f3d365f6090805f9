// The only module that loads the .node files.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { GlooAddon, MpiAddon } from "./AddonTypes.js";

const require_ = createRequire(import.meta.url);

/** The package root, found by walking up from this file (src/native/ or dist/). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(dir, "package.json");
    if (existsSync(pj) && JSON.parse(readFileSync(pj, "utf8")).name === "@gmeta/collectives") return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error("@gmeta/collectives: cannot find the package folder");
    dir = up;
  }
}

/** Absolute path of a file the native build writes into build/Release. */
export function buildArtifact(name: string): string {
  // A bundled program copied elsewhere (the GPU check) names the folder of the .node files.
  const dir = process.env.GMETA_COLLECTIVES_BUILD_DIR;
  if (dir) return join(dir, name);
  return join(packageRoot(), "build", "Release", name);
}

let gloo: GlooAddon | undefined;

/** Loads gmeta_collectives.node, or says every way out when it cannot. */
export function glooAddon(): GlooAddon {
  if (gloo) return gloo;
  const file = buildArtifact("gmeta_collectives.node");
  try {
    gloo = require_(file) as GlooAddon;
    return gloo;
  } catch (e) {
    throw new Error(
      `@gmeta/collectives: cannot load ${file}: ${(e as Error).message}\n` +
        "Possible solutions:\n" +
        "- build it: npx turbo run build --filter=@gmeta/collectives\n" +
        "- install Gloo: apt-get install libgloo-dev (or run scripts/bootstrap)\n" +
        "- rebuild after changing the Node.js version: rm -rf packages/gmeta-collectives/build",
    );
  }
}

let mpi: MpiAddon | undefined;

/** Loads gmeta_collectives_mpi.node; the error says why MPI is unavailable. */
export function mpiAddon(): MpiAddon {
  if (mpi) return mpi;
  const file = buildArtifact("gmeta_collectives_mpi.node");
  if (!existsSync(file)) {
    throw new Error(
      `@gmeta/collectives: the MPI process group was not built (${file} is missing).\n` +
        "Possible solutions:\n" +
        "- install OpenMPI: apt-get install libopenmpi-dev openmpi-bin, then rebuild\n" +
        '- use backend: "gloo"',
    );
  }
  mpi = require_(file) as MpiAddon;
  return mpi;
}

/** True when the MPI addon was built on this machine. */
export function mpiBuilt(): boolean {
  return existsSync(buildArtifact("gmeta_collectives_mpi.node"));
}
