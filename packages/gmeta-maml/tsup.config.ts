import { defineConfig } from "tsup";
import { library } from "../../config/tsup.base.js";

export default defineConfig(library({}, "@gmeta/maml"));
