// The only module that loads the .node files (through @gmeta/tensor's shared loader).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadNative, nativeBuildDir, type NativePackage } from "@gmeta/tensor";
import type { GlooAddon, MpiAddon } from "./AddonTypes.js";

const COLLECTIVES_NATIVE: NativePackage = {
  name: "@gmeta/collectives",
  from: import.meta.url,
  buildDirVariable: "GMETA_COLLECTIVES_BUILD_DIR",
  solutions: [
    "build it: npx turbo run build --filter=@gmeta/collectives",
    "install Gloo: apt-get install libgloo-dev (or run scripts/bootstrap)",
    "rebuild after changing the Node.js version: rm -rf packages/gmeta-collectives/build",
  ],
};

/** Absolute path of a file the native build writes into build/Release. */
export function buildArtifact(name: string): string {
  return join(nativeBuildDir(COLLECTIVES_NATIVE), name);
}

let gloo: GlooAddon | undefined;

/** Loads gmeta_collectives.node, or says every way out when it cannot. */
export function glooAddon(): GlooAddon {
  gloo ??= loadNative<GlooAddon>(COLLECTIVES_NATIVE, "gmeta_collectives.node");
  return gloo;
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
  mpi = loadNative<MpiAddon>(COLLECTIVES_NATIVE, "gmeta_collectives_mpi.node");
  return mpi;
}

/** True when the MPI addon was built on this machine. */
export function mpiBuilt(): boolean {
  return existsSync(buildArtifact("gmeta_collectives_mpi.node"));
}
