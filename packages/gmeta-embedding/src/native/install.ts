// `npm install` step of @gmeta/embedding (run through scripts/install.mjs): prebuild or source build.
import { installNative } from "@gmeta/tensor/native";

import { EMBEDDING_ADDON, EMBEDDING_NATIVE } from "./embeddingNative.js";

if (!installNative(EMBEDDING_NATIVE, [{ file: EMBEDDING_ADDON }]) && process.env.GMETA_STRICT_INSTALL === "1") process.exitCode = 1;
