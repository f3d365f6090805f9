/**
 * The only place that loads this package's native addon (`gmeta_embedding.node`: a source
 * build in build/Release, a prebuild under prebuilds/, or the folder named by
 * GMETA_EMBEDDING_BUILD_DIR), through @gmeta/tensor's shared loader.
 */
import { loadNative } from "@gmeta/tensor/native";

import type { Addon } from "./AddonTypes.js";
import { EMBEDDING_ADDON, EMBEDDING_NATIVE } from "./embeddingNative.js";

/** The loaded native addon; importing this module loads it once. */
export const addon: Addon = loadNative<Addon>(EMBEDDING_NATIVE, EMBEDDING_ADDON);
