/** Where @gmeta/embedding's addon lives and what it needs, for the loader and the install step. */
import { type NativePackage, type NativeStatus, nativeStatus } from "@gmeta/tensor/native";

export const EMBEDDING_NATIVE: NativePackage = {
  name: "@gmeta/embedding",
  from: import.meta.url,
  buildDirVariable: "GMETA_EMBEDDING_BUILD_DIR",
  systemLibraries: { "libstdc++.so.6": "libstdc++6" },
  buildPackages: ["cmake", "g++", "make"],
};

export const EMBEDDING_ADDON = "gmeta_embedding.node";

/** Whether this package's addon loads here, where it was found (prebuild or source build), and why not. */
export function embeddingNativeStatus(): NativeStatus {
  return nativeStatus(EMBEDDING_NATIVE, EMBEDDING_ADDON);
}
