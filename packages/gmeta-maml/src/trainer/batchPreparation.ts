import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ShardedEmbeddingCollection } from "@gmeta/embedding";
import type { BatchTransformSpec } from "@gmeta/io";
import type { StepPrepConfig } from "../data/PreparedStep.js";
import type { MetaLearner } from "../learner/MetaLearner.js";

/** How a trainer of `learner` over `embeddings` prepares its batches (`buckets`: its learner step pads to shape buckets). */
export function stepPrepConfig(learner: MetaLearner, embeddings: ShardedEmbeddingCollection, buckets: boolean): StepPrepConfig {
  const slotTables = learner.model.slots.map((s) => s.table);
  const tables = [...new Set(slotTables)].map((name) => {
    const t = embeddings.tables.find((x) => x.name === name);
    if (!t) throw new Error(`MetaTrainer: expected a table "${name}" (read by the model's slots) in the embeddings, got tables ${embeddings.tables.map((x) => x.name).join(", ")}`);
    return { name, rows: t.rows, hash: t.hash };
  });
  return { denseDim: learner.model.denseDim, slotTables, tables, dedup: embeddings.dedup, device: learner.config.device, buckets };
}

/**
 * The loader transform (@gmeta/io's LoaderOptions.transform) that runs `prepareStep` with
 * `config` in the loader's worker threads: the built module beside this code, or the
 * TypeScript source when running from sources (tests).
 */
export function prepareTransformSpec(config: StepPrepConfig): BatchTransformSpec {
  const candidates = [new URL("./prepareTransform.js", import.meta.url), new URL("../data/prepareTransform.ts", import.meta.url)];
  const found = candidates.find((u) => existsSync(fileURLToPath(u)));
  if (!found) {
    throw new Error(`MetaTrainer.batchTransform: cannot find the preparation module (looked for ${candidates.map((u) => fileURLToPath(u)).join(", ")}). Possible solutions: rebuild @gmeta/maml (npm run build); or give the trainer raw batches (no loader transform)`);
  }
  return { module: found.href, options: config };
}
