import type { MetaBatch } from "@gmeta/io";
import { configKey, prepareStep } from "../data/PreparedStep.js";
import type { PreparedStep, StepPrepConfig } from "../data/PreparedStep.js";

/**
 * A batch's preparation for the step: the one a loader worker made (batch.prepared, from
 * MetaTrainer.batchTransform), checked to be for these settings, or made here by the same
 * function, so both give the same bits.
 */
export function prepareStepOf(config: StepPrepConfig, batch: Pick<MetaBatch, "support" | "query" | "prepared">): PreparedStep {
  const p = batch.prepared as PreparedStep | undefined;
  if (p === undefined) return prepareStep(config, batch);
  const key = configKey(config);
  if (typeof p !== "object" || p === null || typeof p.config !== "string" || !Array.isArray(p.host) || !Array.isArray(p.lookups)) {
    throw new Error(`MetaTrainer.step: expected batch.prepared from the trainer's batchTransform() (or none), got ${p === null ? "null" : typeof p === "object" ? "an object of another kind" : typeof p}`);
  }
  if (p.config !== key) {
    throw new Error(`MetaTrainer.step: expected a batch prepared for this trainer (${key}), got one prepared for ${p.config}; build the loader's transform from this trainer's batchTransform()`);
  }
  return p;
}
