import type { ShardedEmbeddingCollection } from "@gmeta/embedding";
import type { MetaBatch } from "@gmeta/io";
import type { Tensor } from "@gmeta/tensor";
import { numberPairs, padBatch } from "../data/PreparedBatch.js";
import type { PreparedBatch } from "../data/PreparedBatch.js";
import type { CompiledPredict } from "../learner/CompiledPredict.js";
import type { MetaLearner, Predictions } from "../learner/MetaLearner.js";
import { sliceTasks } from "../trainer/sliceBatch.js";

/**
 * Looks up the ids of a batch's real tasks (padded tasks are left out) in one session and
 * calls `use` with the prepared batch and its unique rows, or not at all when the batch holds
 * no real task. Collective: every rank calls it once per step, whatever its batch.
 */
export async function withLookup<T>(
  learner: MetaLearner, embeddings: ShardedEmbeddingCollection, batch: MetaBatch, use: (pb: PreparedBatch, rows: Tensor[]) => T,
): Promise<T | null> {
  const real = batch.tasks - batch.padded;
  const padded = padBatch(learner.model, real === batch.tasks ? batch : sliceTasks(batch, 0, real));
  const session = await embeddings.lookup(Object.fromEntries(padded.tables.map((name, k) => [name, padded.ids[k]!])));
  try {
    if (real === 0) return null;
    const pb = numberPairs(learner.model, padded, padded.tables.map((name) => ({ inverse: session.get(name).inverse, uniqueCount: session.get(name).uniqueRows.length })));
    return use(pb, padded.tables.map((name) => session.get(name).unique));
  } finally {
    session.dispose();
  }
}

/**
 * Scores the query samples (a new user's candidates) of every real task of a batch, after the
 * learner's inner loop on the task's support samples (its labelled rows) when `adapt`, or with
 * the meta-parameters as they are. Query labels are not read. Padded tasks are left out.
 * Scored through `predict` (captured programs, as evaluation does) when given, else eagerly.
 * Collective: every rank calls it once per step with its own batch (one lookup).
 * @example const { scores, taskOffsets } = await scoreBatch(learner, collection, batch, true);
 */
export async function scoreBatch(
  learner: MetaLearner, embeddings: ShardedEmbeddingCollection, batch: MetaBatch, adapt: boolean, predict?: CompiledPredict,
): Promise<Predictions> {
  const p = await withLookup(learner, embeddings, batch, (pb, rows) => (predict ? predict.run(pb, rows, adapt) : learner.predict(pb, rows, adapt)));
  return p ?? { scores: new Float32Array(0), labels: new Float32Array(0), taskOffsets: new Int32Array(1) };
}
