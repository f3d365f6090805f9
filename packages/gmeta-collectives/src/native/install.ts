// `npm install` step of @gmeta/collectives (run through scripts/install.mjs): prebuild or source build.
import { installNative } from "@gmeta/tensor/native";

import { COLLECTIVES_NATIVE, GLOO_ADDON, MPI_ADDON } from "./collectivesNative.js";

if (!installNative(COLLECTIVES_NATIVE, [{ file: GLOO_ADDON }, { file: MPI_ADDON, optional: true }]) && process.env.GMETA_STRICT_INSTALL === "1") process.exitCode = 1;
