/** Where @gmeta/collectives' addons live and what they need, for the loader and the install step. */
import type { NativePackage } from "@gmeta/tensor/native";

export const COLLECTIVES_NATIVE: NativePackage = {
  name: "@gmeta/collectives",
  from: import.meta.url,
  buildDirVariable: "GMETA_COLLECTIVES_BUILD_DIR",
  systemLibraries: {
    "libgloo.so.0": "libgloo0",
    "libhiredis.so.0.14": "libhiredis0.14",
    "libibverbs.so.1": "libibverbs1",
    "libmpi.so.40": "libopenmpi3",
    "libstdc++.so.6": "libstdc++6",
  },
  buildPackages: ["cmake", "g++", "make", "pkg-config", "libgloo-dev", "libopenmpi-dev (optional, for MPI)"],
};

/** The Gloo addon (always) and the MPI one (a separate file, so loading Gloo never needs libmpi). */
export const GLOO_ADDON = "gmeta_collectives.node";
export const MPI_ADDON = "gmeta_collectives_mpi.node";
