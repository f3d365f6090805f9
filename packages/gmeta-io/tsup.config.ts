import { defineConfig } from "tsup";
import { library } from "../../config/tsup.base.js";

// The decode worker is its own entry so worker_threads can start it from dist.
export default defineConfig(library({ entry: ["src/index.ts", "src/decodeWorker.ts"], dts: { entry: "src/index.ts" } }, "@gmeta/io"));
