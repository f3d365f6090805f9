/**
 * The only place that loads this package's native addon (`gmeta_tensor.node`: a source build
 * in build/Release, a prebuild under prebuilds/, or the folder named by GMETA_TENSOR_BUILD_DIR;
 * see nativeLoader.ts).
 */
import type { Addon } from "./AddonTypes.js";
import { loadNative } from "./nativeLoader.js";
import { TENSOR_NATIVE } from "./tensorNative.js";

export { TENSOR_NATIVE };

/** The loaded native addon; importing this module loads it once. */
export const addon: Addon = loadNative<Addon>(TENSOR_NATIVE, "gmeta_tensor.node");
