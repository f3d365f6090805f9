/** Where @gmeta/tensor's addon lives and what it needs, for the loader and the install step. */
import type { NativePackage } from "./nativeLoader.js";

export const TENSOR_NATIVE: NativePackage = {
  name: "@gmeta/tensor",
  from: import.meta.url,
  buildDirVariable: "GMETA_TENSOR_BUILD_DIR",
  systemLibraries: {
    "libopenblas.so.0": "libopenblas0",
    "libgfortran.so.5": "libgfortran5",
    "libstdc++.so.6": "libstdc++6",
  },
  buildPackages: ["cmake", "g++", "make", "pkg-config", "libopenblas-dev"],
};
