import type { MetaBatch } from "@gmeta/io";
import { prepareBatch } from "../data/PreparedBatch.js";
import type { MetaLearner, Predictions } from "../learner/MetaLearner.js";
import type { SparseStore } from "../trainer/SparseStore.js";

/**
 * Scores the query samples (a new user's candidates) of every real task of a batch, after the
 * learner's inner loop on the task's support samples (its labelled rows) when `adapt`, or with
 * the meta-parameters as they are. Query labels are not read. Padded tasks are left out.
 * Collective: every rank calls it once per step with its own batch (one lookup).
 * @example const { scores, taskOffsets } = await scoreBatch(learner, store, batch, true);
 */
export async function scoreBatch(learner: MetaLearner, store: SparseStore, batch: MetaBatch, adapt: boolean): Promise<Predictions> {
  const pb = prepareBatch(learner.model, batch);
  const rows = await store.lookup(pb.tables.map((t) => t.table), pb.tables.map((t) => t.ids));
  try {
    const p = learner.predict(pb, rows, adapt);
    const real = batch.tasks - batch.padded;
    const end = p.taskOffsets[real]!;
    return { scores: p.scores.slice(0, end), labels: p.labels.slice(0, end), taskOffsets: p.taskOffsets.slice(0, real + 1) };
  } finally {
    for (const r of rows) r.dispose();
  }
}
