import type { Device, HostInput, Tensor } from "@gmeta/tensor";
import {
  Generator, add, detach, embeddingBag, expand, full, gatherRows, grad, mean, mul, noGrad, reshape, sigmoid, sub, sum,
  tensor, tidy, toDevice, unsqueeze,
} from "@gmeta/tensor";
import type { PreparedBatch } from "../data/PreparedBatch.js";
import type { TaskBlock } from "../data/TaskBlock.js";
import type { MetaModel } from "../models/MetaModel.js";
import { initParams } from "../models/MetaModel.js";
import { realSamples, stepHostInputs, stepInputs } from "./StepInputs.js";
import type { BlockTensors, SlotTensors, StepInputs, StepLayout } from "./StepInputs.js";
import { taskLosses } from "./taskLoss.js";

/** "plain" is the non-meta baseline: ordinary mini-batch training on all samples of the tasks. */
export type Algorithm = "maml" | "fomaml" | "metasgd" | "plain";
/** What the inner loop adapts per task. */
export type AdaptScope = "all" | "dense" | "head" | "embeddings";

export interface MetaLearnerConfig {
  algorithm: Algorithm;
  innerSteps: number;
  /** Inner learning rate for dense weights (Meta-SGD: the initial per-parameter rate). */
  innerLr: number;
  /** Inner learning rate for embedding rows (default innerLr). */
  embeddingInnerLr?: number;
  adapt: AdaptScope;
  seed: number;
  /** Where the meta-parameters live and the step runs: "cpu" or "cuda:N". */
  device: string;
}

export const DEFAULT_LEARNER: MetaLearnerConfig = {
  algorithm: "maml", innerSteps: 1, innerLr: 0.1, adapt: "all", seed: 0, device: "cpu",
};

/**
 * What one learner step computed on this rank, all tensors: nothing was read to the host,
 * so the caller reads the losses when it chooses (after the exchange, say).
 */
export interface MetaStepResult {
  /** [] mean query loss over this rank's tasks after adaptation (the baseline: per query sample). */
  queryLoss: Tensor;
  /** [] mean support loss before adaptation (the baseline: per support sample). */
  supportLoss: Tensor;
  /** Gradients of the objective for `denseParameters()`, in order. */
  denseGrads: Tensor[];
  /** Gradients for each table's unique rows (the E_U leaves given to `step`). */
  embeddingGrads: Tensor[];
}

/**
 * How much this rank's share weighs in the global objective and losses: the objective of a
 * global meta-batch is the mean over all its tasks (MAML family) or all its samples (the
 * baseline), so a rank's mean counts by its tasks or its samples.
 */
export interface LossWeights {
  objective: number;
  query: number;
  support: number;
}

export interface Predictions {
  /** Sigmoid scores of the query samples, in the batch's sample order. */
  scores: Float32Array;
  labels: Float32Array;
  /** Task t owns scores taskOffsets[t] .. taskOffsets[t+1]. */
  taskOffsets: Int32Array;
}

function checkConfig(c: MetaLearnerConfig): void {
  const bad = (what: string, name: string, got: unknown) => new Error(`MetaLearner: expected ${what} for ${name}, got ${JSON.stringify(got)}`);
  if (!["maml", "fomaml", "metasgd", "plain"].includes(c.algorithm)) throw bad('"maml", "fomaml", "metasgd" or "plain"', "algorithm", c.algorithm);
  if (!["all", "dense", "head", "embeddings"].includes(c.adapt)) throw bad('"all", "dense", "head" or "embeddings"', "adapt", c.adapt);
  if (!Number.isInteger(c.innerSteps) || c.innerSteps < 0) throw bad("an integer >= 0", "innerSteps", c.innerSteps);
  if (!(Number.isFinite(c.innerLr) && c.innerLr >= 0)) throw bad("a finite number >= 0", "innerLr", c.innerLr);
  if (c.embeddingInnerLr !== undefined && !(Number.isFinite(c.embeddingInnerLr) && c.embeddingInnerLr >= 0)) {
    throw bad("a finite number >= 0", "embeddingInnerLr", c.embeddingInnerLr);
  }
  if (typeof c.device !== "string" || !/^(cpu|cuda:\d+)$/.test(c.device)) throw bad('"cpu" or "cuda:N"', "device", c.device);
}

/**
 * MAML, first-order MAML and Meta-SGD over a MetaModel, with every task of a meta-batch
 * computed together: per-task fast weights [T, ...] through batched GEMMs, and adapted
 * embedding rows per (task, id) pair. No communication happens here.
 */
export class MetaLearner {
  readonly config: MetaLearnerConfig;
  readonly params: Record<string, Tensor>;
  /** Meta-SGD's learned per-parameter inner learning rates (null for MAML / FO-MAML). */
  readonly innerLrs: Record<string, Tensor> | null;

  constructor(
    readonly model: MetaModel,
    config: Partial<MetaLearnerConfig> = {},
  ) {
    this.config = { ...DEFAULT_LEARNER, ...config };
    checkConfig(this.config);
    // Initialised on the host from the seed, so every device starts from the same values.
    this.params = onDevice(initParams(model, new Generator(this.config.seed)), this.config.device);
    this.innerLrs =
      this.config.algorithm === "metasgd"
        ? Object.fromEntries(model.params.map((p) => [p.name, full(p.shape, this.config.innerLr, { requiresGrad: true, device: this.config.device })]))
        : null;
  }

  /** Frees the meta-parameters (and Meta-SGD's rates). */
  dispose(): void {
    for (const t of [...Object.values(this.params), ...Object.values(this.innerLrs ?? {})]) t.dispose();
  }

  /** Names of the dense parameters adapted in the inner loop. */
  adaptedNames(): string[] {
    const a = this.config.adapt;
    if (a === "embeddings") return [];
    return this.model.params.filter((p) => a !== "head" || p.head).map((p) => p.name);
  }

  private adaptsEmbeddings(): boolean {
    return this.config.adapt === "all" || this.config.adapt === "embeddings";
  }

  /** Every dense meta-parameter (weights, then Meta-SGD rates), the order of gradients. */
  denseParameters(): Tensor[] {
    const names = this.model.params.map((p) => p.name);
    return [...names.map((n) => this.params[n]!), ...(this.innerLrs ? names.map((n) => this.innerLrs![n]!) : [])];
  }

  /**
   * Looked-up rows as leaves that require grad on this learner's device (copies when the
   * tables live elsewhere; the rows themselves otherwise).
   */
  leavesOnDevice(rows: readonly Tensor[]): Tensor[] {
    const device = this.config.device;
    return rows.map((r) => (r.device === device ? r : noGrad(() => toDevice(detach(r), device)).setRequiresGrad(true)));
  }

  /** This rank's weights in the global objective and losses (see LossWeights); a PreparedBatch will do. */
  lossWeights(b: { support: Pick<TaskBlock, "tasks" | "counts">; query: Pick<TaskBlock, "tasks" | "counts"> }): LossWeights {
    if (this.config.algorithm !== "plain") return { objective: b.support.tasks, query: b.support.tasks, support: b.support.tasks };
    const q = realSamples(b.query);
    const s = realSamples(b.support);
    return { objective: q + s, query: q, support: s };
  }

  /** The structure of this model's batches: each slot's table, in first-use order. */
  layout(): StepLayout {
    const names = [...new Set(this.model.slots.map((s) => s.table))];
    return { slotTables: this.model.slots.map((s) => names.indexOf(s.table)), tables: names.length };
  }

  /** A prepared batch's inputs as host arrays (what a compiled step copies into its slots). */
  inputs(pb: PreparedBatch, buckets = false): HostInput[] {
    return stepHostInputs(pb, { device: this.config.device as Device, buckets });
  }

  /** Pooled embeddings [T, W, dim] of every slot of a block, from per-table pair rows. */
  private pool(rows: Tensor[], slots: SlotTensors[], block: BlockTensors): Tensor[] {
    return slots.map((s, i) => {
      const pooled = embeddingBag(rows[s.tableIndex]!, s.pair, s.offsets, this.model.slots[i]!.pooling);
      return reshape(pooled, [block.tasks, block.width, this.model.embeddingDim]);
    });
  }

  private logits(fast: Record<string, Tensor>, rows: Tensor[], slots: SlotTensors[], block: BlockTensors): Tensor {
    return this.model.forward(fast, { dense: block.dense, slots: this.pool(rows, slots, block) });
  }

  /**
   * Runs the inner loop on the support set and returns the adapted fast weights and rows.
   * With `createGraph` the adaptation stays differentiable (second-order MAML, Meta-SGD).
   */
  adapt(b: StepInputs, uniqueRows: Tensor[], steps: number, createGraph: boolean): {
    fast: Record<string, Tensor>; rows: Tensor[]; supportLoss: Tensor | null;
  } {
    const T = b.support.tasks;
    const fast: Record<string, Tensor> = {};
    for (const p of this.model.params) {
      const w = this.params[p.name]!;
      fast[p.name] = expand(unsqueeze(w, 0), [T, ...w.shape]);
    }
    let rows = b.pairRow.map((pairRow, k) => gatherRows(uniqueRows[k]!, pairRow));
    const names = this.adaptedNames();
    const adaptRows = this.adaptsEmbeddings();
    const alphaE = this.config.embeddingInnerLr ?? this.config.innerLr;
    let supportLoss: Tensor | undefined;
    for (let s = 0; s < steps; s++) {
      // Tasks own disjoint fast weights: the gradient of the summed loss is each task's own.
      const losses = taskLosses(this.logits(fast, rows, b.supportSlots, b.support), b.support);
      if (s === 0) supportLoss = noGrad(() => mean(detach(losses)));
      const targets = [...names.map((n) => fast[n]!), ...(adaptRows ? rows : [])];
      if (targets.length === 0) break;
      const g = grad(sum(losses), targets, { createGraph, allowUnused: true });
      names.forEach((n, i) => {
        const lr = this.innerLrs ? this.innerLrs[n]! : this.config.innerLr;
        fast[n] = sub(fast[n]!, mul(g[i]!, lr));
      });
      if (adaptRows) rows = rows.map((r, k) => sub(r, mul(g[names.length + k]!, alphaE)));
    }
    return { fast, rows, supportLoss: supportLoss ?? null };
  }

  /**
   * DESIGN steps 2-4 on this rank's tasks: inner loop, query loss and meta-gradients, a
   * synchronous function of tensors (the meta-parameters, E_U per table in `b`'s table
   * order, and the batch's tensors) that reads nothing back to the host.
   */
  step(b: StepInputs, uniqueRows: Tensor[]): MetaStepResult {
    if (this.config.algorithm === "plain") return this.plainStep(b, uniqueRows);
    const secondOrder = this.config.algorithm !== "fomaml";
    const { fast, rows, supportLoss } = this.adapt(b, uniqueRows, this.config.innerSteps, secondOrder);
    const query = mean(taskLosses(this.logits(fast, rows, b.querySlots, b.query), b.query));
    // Without inner steps the support loss is that of the meta-parameters as they are.
    const support = supportLoss ?? noGrad(() => mean(taskLosses(this.logits(fast, rows, b.supportSlots, b.support), b.support)));
    const dense = this.denseParameters();
    const g = grad(query, [...dense, ...uniqueRows], { allowUnused: true });
    return { queryLoss: detach(query), supportLoss: support, denseGrads: g.slice(0, dense.length), embeddingGrads: g.slice(dense.length) };
  }

  /** The baseline: the mean BCE over every support and query sample, with no inner loop. */
  private plainStep(b: StepInputs, uniqueRows: Tensor[]): MetaStepResult {
    const { fast, rows } = this.adapt(b, uniqueRows, 0, false);
    const total = (block: BlockTensors, slots: SlotTensors[]) => sum(mul(taskLosses(this.logits(fast, rows, slots, block), block), block.counts));
    const s = total(b.support, b.supportSlots);
    const q = total(b.query, b.querySlots);
    const loss = mul(add(s, q), b.invAllSamples);
    const dense = this.denseParameters();
    const g = grad(loss, [...dense, ...uniqueRows], { allowUnused: true });
    return {
      queryLoss: noGrad(() => mul(detach(q), b.query.invSamples)),
      supportLoss: noGrad(() => mul(detach(s), b.support.invSamples)),
      denseGrads: g.slice(0, dense.length),
      embeddingGrads: g.slice(dense.length),
    };
  }

  /**
   * Query scores [T, W] (sigmoid) after adapting on the support set, or with the
   * meta-parameters as they are; reads nothing back, so it can be captured like the step.
   */
  queryScores(b: StepInputs, uniqueRows: Tensor[], adapt: boolean): Tensor {
    const { fast, rows } = this.adapt(b, uniqueRows, adapt ? this.config.innerSteps : 0, false);
    return noGrad(() => sigmoid(this.logits(fast, rows, b.querySlots, b.query)));
  }

  /** Query scores after adapting on the support set (or with the meta-parameters as they are). */
  predict(pb: PreparedBatch, uniqueRows: Tensor[], adapt: boolean): Predictions {
    return tidy(() => {
      const b = stepInputs(pb, this.config.device as Device);
      const rowsIn = this.leavesOnDevice(uniqueRows.map((r) => detach(r).setRequiresGrad(true)));
      return unpad(this.queryScores(b, rowsIn, adapt).toArray() as Float32Array, pb.query, b.query.width);
    });
  }
}

/** Real samples of a block from values laid out [T, width] (width >= the block's), in sample order. */
export function unpad(values: Float32Array, block: TaskBlock, width = block.width): Predictions {
  const n = block.counts.reduce((a, c) => a + c, 0);
  const scores = new Float32Array(n);
  const labels = new Float32Array(n);
  const taskOffsets = new Int32Array(block.tasks + 1);
  let k = 0;
  for (let t = 0; t < block.tasks; t++) {
    taskOffsets[t] = k;
    for (let j = 0; j < block.counts[t]!; j++) {
      scores[k] = values[t * width + j]!;
      labels[k] = block.labels[t * block.width + j]!;
      k++;
    }
  }
  taskOffsets[block.tasks] = k;
  return { scores, labels, taskOffsets };
}

/** Leaves that require grad on `device`, with the values of `params` (copied when not on the host). */
function onDevice(params: Record<string, Tensor>, device: string): Record<string, Tensor> {
  if (device === "cpu") return params;
  const out: Record<string, Tensor> = {};
  for (const [name, p] of Object.entries(params)) {
    out[name] = tensor(p.toArray() as Float32Array, { shape: p.shape.slice(), device, requiresGrad: true });
    p.dispose();
  }
  return out;
}
