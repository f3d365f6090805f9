import { defineConfig } from "tsup";
import { library } from "../../config/tsup.base.js";

// `native` is the loader subpath the other native packages share; `install` the npm install step.
export default defineConfig(
  library(
    {
      entry: { index: "src/index.ts", native: "src/native/public.ts", install: "src/native/install.ts" },
      dts: { entry: { index: "src/index.ts", native: "src/native/public.ts" } },
    },
    "@gmeta/tensor",
  ),
);
