/**
 * `@gmeta/tensor/native`: the addon loader and install step the native @gmeta packages share,
 * importable without loading the tensor addon itself (install scripts, `gmeta info`).
 */
export { findPrebuild, loadNative, locateNative, missingLibraries, nativeBuildDir, nativeLoadError, nativePackageRoot, nativeStatus, nativeTarget } from "./nativeLoader.js";
export type { NativeLocation, NativePackage, NativeStatus } from "./nativeLoader.js";
export { buildFromSource, installNative } from "./nativeInstall.js";
export type { InstallAddon } from "./nativeInstall.js";
export { TENSOR_NATIVE } from "./tensorNative.js";
