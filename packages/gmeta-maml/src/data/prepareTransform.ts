// The loader batch transform that prepares batches for the G-Meta step inside the loader's
// worker threads (@gmeta/io's LoaderOptions.transform; MetaTrainer.batchTransform gives the
// spec). It imports no @gmeta/tensor code: a worker never loads a second tensor addon.
import type { BatchTransform } from "@gmeta/io";
import { prepareStep } from "./PreparedStep.js";
import type { StepPrepConfig } from "./PreparedStep.js";

/** The transform for a trainer's preparation settings (`options` as MetaTrainer.batchTransform made them). */
export function createBatchTransform(options: StepPrepConfig): BatchTransform {
  return (batch) => prepareStep(options, batch);
}
