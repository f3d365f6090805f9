// npm `install` step: the one every native @gmeta package runs (scripts/installStep.mjs).
import { runInstallStep } from "./installStep.mjs";

await runInstallStep(import.meta.url);
