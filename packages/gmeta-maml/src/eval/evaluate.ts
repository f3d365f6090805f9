import type { ProcessGroup } from "@gmeta/collectives";
import type { MetaBatch } from "@gmeta/io";
import type { ShardedEmbeddingCollection } from "@gmeta/embedding";
import { tensor } from "@gmeta/tensor";
import { CompiledPredict } from "../learner/CompiledPredict.js";
import type { MetaLearner, Predictions } from "../learner/MetaLearner.js";
import { auc, gauc, logloss } from "../metrics.js";
import { withLookup } from "./predict.js";

/** AUC, GAUC (per-task AUC weighted by samples) and log loss of query predictions. */
export interface Scores {
  auc: number;
  gauc: number;
  logloss: number;
}

export interface Evaluation {
  /** After k inner steps on each task's support set. */
  adapted: Scores;
  /** With the meta-parameters as they are. */
  unadapted: Scores;
  tasks: number;
  samples: number;
}

class Collector {
  scores: number[] = [];
  labels: number[] = [];
  sizes: number[] = [];
  add(p: Predictions): void {
    for (let i = 0; i < p.scores.length; i++) {
      this.scores.push(p.scores[i]!);
      this.labels.push(p.labels[i]!);
    }
    for (let t = 0; t + 1 < p.taskOffsets.length; t++) this.sizes.push(p.taskOffsets[t + 1]! - p.taskOffsets[t]!);
  }
}

/** Gathers a float list from every rank (rank order). */
async function gather(pg: ProcessGroup, values: number[]): Promise<Float32Array> {
  const t = tensor(Float32Array.from(values), { shape: [values.length] });
  const r = await pg.allGatherV(t);
  const out = r.recv.toArray() as Float32Array;
  t.dispose();
  r.recv.dispose();
  return out;
}

function score(labels: Float32Array, scores: Float32Array, sizes: Float32Array): Scores {
  const offsets = new Int32Array(sizes.length + 1);
  sizes.forEach((s, i) => (offsets[i + 1] = offsets[i]! + s));
  return { auc: auc(labels, scores), gauc: gauc(labels, scores, offsets), logloss: logloss(labels, scores) };
}

/**
 * Held-out evaluation: each rank adapts on the support sets of its tasks and scores their
 * query sets; the scores of all ranks are gathered so every rank returns the global metrics.
 * Padded tasks (repeated to fill the last batch) are left out. Collective.
 */
export async function evaluate(
  learner: MetaLearner, embeddings: ShardedEmbeddingCollection, pg: ProcessGroup, batches: AsyncIterable<MetaBatch>, options: { compile?: boolean } = {},
): Promise<Evaluation> {
  const adapted = new Collector();
  const plain = new Collector();
  // Scored through captured programs like training (eager with compile: false).
  const predict = new CompiledPredict(learner, options);
  try {
    await scoreAll(learner, embeddings, batches, predict, adapted, plain);
  } finally {
    predict.dispose();
  }
  const [la, sa, za, sp] = [
    await gather(pg, adapted.labels), await gather(pg, adapted.scores), await gather(pg, adapted.sizes), await gather(pg, plain.scores),
  ];
  return { adapted: score(la, sa, za), unadapted: score(la, sp, za), tasks: za.length, samples: la.length };
}

async function scoreAll(
  learner: MetaLearner, embeddings: ShardedEmbeddingCollection, batches: AsyncIterable<MetaBatch>, predict: CompiledPredict,
  adapted: Collector, plain: Collector,
): Promise<void> {
  for await (const batch of batches) {
    // Every rank looks up once per batch (a collective), its real tasks' ids only.
    await withLookup(learner, embeddings, batch, (pb, rows) => {
      adapted.add(predict.run(pb, rows, true));
      plain.add(predict.run(pb, rows, false));
    });
  }
}
