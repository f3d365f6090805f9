import { defineConfig } from "tsup";
import { library } from "../../config/tsup.base.js";

export default defineConfig([
  library({}, "@gmeta/cli"),
  { ...library({ entry: { bin: "src/bin.ts" }, format: ["esm"], dts: false, clean: false }), banner: { js: "#!/usr/bin/env node" } },
]);
