import type { ProcessGroup } from "@gmeta/collectives";
import type { MetaBatch } from "@gmeta/io";
import type { Tensor } from "@gmeta/tensor";
import { gatherRows, tensor } from "@gmeta/tensor";
import { prepareBatch } from "../data/PreparedBatch.js";
import { CompiledPredict } from "../learner/CompiledPredict.js";
import type { MetaLearner, Predictions } from "../learner/MetaLearner.js";
import { auc, gauc, logloss } from "../metrics.js";
import type { SparseStore } from "../trainer/SparseStore.js";
import { sliceTasks } from "../trainer/sliceBatch.js";

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
  learner: MetaLearner, store: SparseStore, pg: ProcessGroup, batches: AsyncIterable<MetaBatch>, options: { compile?: boolean } = {},
): Promise<Evaluation> {
  const adapted = new Collector();
  const plain = new Collector();
  const predict = new CompiledPredict(learner, options);
  try {
    await scoreAll(learner, store, batches, predict, adapted, plain);
  } finally {
    predict.dispose();
  }
  const [la, sa, za, sp] = [
    await gather(pg, adapted.labels), await gather(pg, adapted.scores), await gather(pg, adapted.sizes), await gather(pg, plain.scores),
  ];
  return { adapted: score(la, sa, za), unadapted: score(la, sp, za), tasks: za.length, samples: la.length };
}

async function scoreAll(
  learner: MetaLearner, store: SparseStore, batches: AsyncIterable<MetaBatch>, predict: CompiledPredict, adapted: Collector, plain: Collector,
): Promise<void> {
  for await (const batch of batches) {
    const real = batch.tasks - batch.padded;
    const b = real === batch.tasks ? batch : sliceTasks(batch, 0, real);
    const pb = prepareBatch(learner.model, batch);
    const rows = await store.lookup(pb.tables.map((t) => t.table), pb.tables.map((t) => t.ids));
    try {
      if (real > 0) {
        const pbReal = b === batch ? pb : prepareBatch(learner.model, b);
        // Rows of the real tasks' ids, taken from the lookup of the whole batch.
        const realRows = b === batch ? rows : pbReal.tables.map((t, k) => pickRows(pb.tables[k]!.ids, rows[k]!, t.ids));
        // The predictor moves the rows to the learner's device itself.
        adapted.add(predict.run(pbReal, realRows, true));
        plain.add(predict.run(pbReal, realRows, false));
        if (realRows !== rows) for (const r of realRows) r.dispose();
      }
    } finally {
      for (const r of rows) r.dispose();
    }
  }
}

/** Rows of `want` ids out of rows looked up for `have` ids. */
function pickRows(have: BigInt64Array, rows: Tensor, want: BigInt64Array): Tensor {
  const pos = new Map<bigint, number>();
  have.forEach((id, i) => pos.set(id, i));
  const idx = Int32Array.from(want, (id) => pos.get(id)!);
  const t = tensor(idx, { dtype: "int32" });
  const out = gatherRows(rows, t);
  t.dispose();
  return out;
}
