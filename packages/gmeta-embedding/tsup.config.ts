import { defineConfig } from "tsup";
import { library } from "../../config/tsup.base.js";

// `install` is the npm install step (prebuilt addon or source build), run by scripts/install.mjs.
export default defineConfig(
  library({ entry: { index: "src/index.ts", install: "src/native/install.ts" }, dts: { entry: { index: "src/index.ts" } } }, "@gmeta/embedding"),
);
