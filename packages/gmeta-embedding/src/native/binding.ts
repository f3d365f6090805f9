/**
 * The only place that loads this package's native addon (`build/Release/gmeta_embedding.node`,
 * or the folder named by GMETA_EMBEDDING_BUILD_DIR), through @gmeta/tensor's shared loader.
 */
import { loadNative, type NativePackage } from "@gmeta/tensor";

import type { Addon } from "./AddonTypes.js";

const EMBEDDING_NATIVE: NativePackage = {
  name: "@gmeta/embedding",
  from: import.meta.url,
  buildDirVariable: "GMETA_EMBEDDING_BUILD_DIR",
  solutions: [
    "run `npm run bootstrap` at the repository root (builds everything)",
    "rebuild the addon: `npm run build:native -w @gmeta/embedding`",
    "check that cmake and a C++17 compiler are installed",
  ],
};

/** The loaded native addon; importing this module loads it once. */
export const addon: Addon = loadNative<Addon>(EMBEDDING_NATIVE, "gmeta_embedding.node");
