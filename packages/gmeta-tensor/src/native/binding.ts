/**
 * The only place that loads this package's native addon (`build/Release/gmeta_tensor.node`,
 * or the folder named by GMETA_TENSOR_BUILD_DIR).
 */
import type { Addon } from "./AddonTypes.js";
import { loadNative } from "./nativeLoader.js";
import type { NativePackage } from "./nativeLoader.js";

export const TENSOR_NATIVE: NativePackage = {
  name: "@gmeta/tensor",
  from: import.meta.url,
  buildDirVariable: "GMETA_TENSOR_BUILD_DIR",
  solutions: [
    "run `npm run bootstrap` at the repository root (installs system packages and builds everything)",
    "install OpenBLAS (Debian / Ubuntu: `apt-get install libopenblas-dev`)",
    "rebuild the addon: `npm run build:native -w @gmeta/tensor`",
  ],
};

/** The loaded native addon; importing this module loads it once. */
export const addon: Addon = loadNative<Addon>(TENSOR_NATIVE, "gmeta_tensor.node");
