// The only module that loads the .node files (through @gmeta/tensor's shared loader).
import { join } from "node:path";
import { loadNative, locateNative, nativeBuildDir, nativeStatus, type NativeStatus } from "@gmeta/tensor/native";
import type { GlooAddon, MpiAddon } from "./AddonTypes.js";
import { COLLECTIVES_NATIVE, GLOO_ADDON, MPI_ADDON } from "./collectivesNative.js";

/** Absolute path of a file the native build writes into build/Release (the raw benchmarks). */
export function buildArtifact(name: string): string {
  return join(nativeBuildDir(COLLECTIVES_NATIVE), name);
}

let gloo: GlooAddon | undefined;

/** Loads gmeta_collectives.node, or says every way out when it cannot. */
export function glooAddon(): GlooAddon {
  gloo ??= loadNative<GlooAddon>(COLLECTIVES_NATIVE, GLOO_ADDON);
  return gloo;
}

let mpi: MpiAddon | undefined;

/** Loads gmeta_collectives_mpi.node; the error says why MPI is unavailable. */
export function mpiAddon(): MpiAddon {
  if (mpi) return mpi;
  if (!locateNative(COLLECTIVES_NATIVE, MPI_ADDON)) {
    throw new Error(
      "@gmeta/collectives: the MPI process group was not built (no gmeta_collectives_mpi addon, prebuilt or built here).\n" +
        "Possible solutions:\n" +
        "  - install OpenMPI (apt-get install libopenmpi-dev openmpi-bin), then rebuild: `GMETA_BUILD_FROM_SOURCE=1 npm rebuild @gmeta/collectives --foreground-scripts`\n" +
        '  - use backend: "gloo"',
    );
  }
  mpi = loadNative<MpiAddon>(COLLECTIVES_NATIVE, MPI_ADDON);
  return mpi;
}

/** True when an MPI addon exists here (prebuilt or built); whether it loads is nativeAddons()'s answer. */
export function mpiBuilt(): boolean {
  return locateNative(COLLECTIVES_NATIVE, MPI_ADDON) !== undefined;
}

/** Whether each addon of this package loads here, where from, and why not. */
export function nativeAddons(): { gloo: NativeStatus; mpi: NativeStatus } {
  return { gloo: nativeStatus(COLLECTIVES_NATIVE, GLOO_ADDON), mpi: nativeStatus(COLLECTIVES_NATIVE, MPI_ADDON) };
}
