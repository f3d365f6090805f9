import type { SampleBlock } from "@gmeta/io";
import { Generator, gatherRows, mulberry32 as rng, noGrad, randn, scatterAddRows, tensor, tidy } from "@gmeta/tensor";
import type { Tensor } from "@gmeta/tensor";
import { prepareBatch } from "../data/PreparedBatch.js";
import { MetaLearner } from "../learner/MetaLearner.js";
import { stepInputs } from "../learner/StepInputs.js";
import type { AdaptScope, Algorithm } from "../learner/MetaLearner.js";
import { sliceTasks } from "../trainer/sliceBatch.js";
import type { MetaModel } from "./MetaModel.js";
import { randomBlock } from "../data/randomBlock.js";

/** Options of {@link checkModel}. */
export interface CheckModelOptions {
  /** Support samples per task (default [5, 2, 7]); each task's query set is about half as large. */
  tasks?: number[];
  /** Rows of every table (default 12). */
  rows?: number;
  /** Most ids in a bag of a slot whose pooling is "mean" (default 3). */
  bag?: number;
  algorithm?: Exclude<Algorithm, "plain">;
  adapt?: AdaptScope;
  innerSteps?: number;
  innerLr?: number;
  seed?: number;
  /** Allowed |batched − one by one| is atol + rtol·|reference| (defaults 1e-5, 1e-4). */
  atol?: number;
  rtol?: number;
}

/** What {@link checkModel} measured. */
export interface CheckModelResult {
  queryLoss: number;
  /** Largest |batched − one by one| over the loss, every dense gradient and every embedding gradient. */
  maxAbsDiff: number;
  /** Largest |gradient| seen: a model whose gradients are all zero learns nothing. */
  maxAbsGrad: number;
}

function modelBlock(r: () => number, sizes: number[], model: MetaModel, rows: number, bag: number): SampleBlock {
  return randomBlock(r, sizes, model.denseDim, model.slots.map((s) => ({ rows, bag: s.pooling === "mean" ? bag : undefined })));
}

/**
 * Checks a model against the learner's reference: one meta-step with every task batched on the
 * leading axis must give the mean of the steps on each task alone (loss, dense gradients and
 * embedding gradients). This is what a model's `forward` must honour: tasks never mix. Throws
 * naming the first tensor out of tolerance, or when every gradient is zero.
 * @example const r = checkModel(createModel({ ...context }));
 */
export function checkModel(model: MetaModel, options: CheckModelOptions = {}): CheckModelResult {
  const sizes = options.tasks ?? [5, 2, 7];
  const rows = options.rows ?? 12;
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-4;
  const r = rng(options.seed ?? 7);
  const batch = {
    support: modelBlock(r, sizes, model, rows, options.bag ?? 3),
    query: modelBlock(r, sizes.map((n) => Math.max(1, Math.floor(n / 2) + 1)), model, rows, options.bag ?? 3),
  };
  return tidy(() => {
    const gen = new Generator(options.seed ?? 7);
    const tables = new Map<string, Tensor>();
    for (const s of model.slots) if (!tables.has(s.table)) tables.set(s.table, randn([rows, model.embeddingDim], { generator: gen, std: 0.3 }));
    const learner = new MetaLearner(model, {
      algorithm: options.algorithm ?? "maml", adapt: options.adapt ?? "all", innerSteps: options.innerSteps ?? 2, innerLr: options.innerLr ?? 0.3, seed: options.seed ?? 7,
    });
    const step = (b: typeof batch) => {
      const pb = prepareBatch(model, b);
      const ids = pb.uniqueIds.map((u) => tensor(u, { dtype: "int64" }));
      const leaves = pb.tables.map((t, k) => gatherRows(tables.get(t.table)!, ids[k]!).setRequiresGrad(true));
      // The eager step, the reference the compiled step is checked against.
      const res = learner.step(stepInputs(pb, "cpu"), leaves);
      const full = new Map<string, Float32Array>();
      pb.tables.forEach((t, k) => {
        full.set(t.table, noGrad(() => scatterAddRows(res.embeddingGrads[k]!, ids[k]!, rows)).toArray() as Float32Array);
      });
      return { loss: res.queryLoss.item(), dense: res.denseGrads.map((g) => (g ? (g.toArray() as Float32Array) : null)), full };
    };
    const all = step(batch);
    const each = sizes.map((_, t) => step(sliceTasks(batch, t, t + 1)));
    const n = sizes.length;
    let maxAbsDiff = 0;
    let maxAbsGrad = 0;
    const compare = (what: string, got: number, ref: number) => {
      const d = Math.abs(got - ref);
      maxAbsDiff = Math.max(maxAbsDiff, d);
      maxAbsGrad = Math.max(maxAbsGrad, Math.abs(ref));
      if (!(d <= atol + rtol * Math.abs(ref))) throw new Error(`checkModel ${model.name}: ${what}: tasks batched give ${got}, one by one ${ref} (|diff| ${d.toExponential(2)})`);
    };
    const ref = each.reduce((a, e) => a + e.loss, 0) / n;
    compare("query loss", all.loss, ref);
    maxAbsGrad = 0;
    all.dense.forEach((g, i) => {
      const name = learner.model.params[i % learner.model.params.length]!.name;
      g?.forEach((v, k) => compare(`gradient of ${name}[${k}]`, v, each.reduce((a, e) => a + (e.dense[i]?.[k] ?? 0), 0) / n));
    });
    for (const [table, g] of all.full) {
      g.forEach((v, k) => compare(`gradient of table ${table}[${k}]`, v, each.reduce((a, e) => a + (e.full.get(table)?.[k] ?? 0), 0) / n));
    }
    if (maxAbsGrad < 1e-6) throw new Error(`checkModel ${model.name}: every gradient is zero (the model's output does not depend on its parameters)`);
    return { queryLoss: all.loss, maxAbsDiff, maxAbsGrad };
  });
}
