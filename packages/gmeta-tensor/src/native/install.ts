// `npm install` step of @gmeta/tensor (run through scripts/install.mjs): prebuild or source build.
import { installNative } from "./nativeInstall.js";
import { TENSOR_NATIVE } from "./tensorNative.js";

if (!installNative(TENSOR_NATIVE, [{ file: "gmeta_tensor.node" }]) && process.env.GMETA_STRICT_INSTALL === "1") process.exitCode = 1;
