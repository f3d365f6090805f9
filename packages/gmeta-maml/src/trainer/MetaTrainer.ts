import type { ProcessGroup } from "@gmeta/collectives";
import type { MetaBatch } from "@gmeta/io";
import type { Tensor } from "@gmeta/tensor";
import { Adam, add, assign, concat, mul, tidy } from "@gmeta/tensor";
import type { OptimizerState } from "@gmeta/tensor";
import { prepareBatch } from "../data/PreparedBatch.js";
import type { PreparedBatch } from "../data/PreparedBatch.js";
import type { MetaLearner } from "../learner/MetaLearner.js";
import { pack, unpack } from "./bucket.js";
import { DEFAULT_TRAINER } from "./defaults.js";
import { checkFiniteStep } from "./finiteCheck.js";
import { sliceTasks } from "./sliceBatch.js";
import type { SparseStore } from "./SparseStore.js";

export type Strategy = "gmeta" | "naive";

export interface MetaTrainerOptions {
  learner: MetaLearner;
  processGroup: ProcessGroup;
  embeddings: SparseStore;
  /** Outer (meta) learning rate of Adam on the dense meta-parameters. */
  outerLr?: number;
  weightDecay?: number;
  /** "gmeta": the G-Meta step; "naive": the DMAML-style baseline, kept to measure the speed-up. */
  strategy?: Strategy;
  /** Largest AllReduce bucket in MiB (default 25, as in PyTorch DDP). */
  bucketMiB?: number;
}

/** Per-step metrics; losses and counts are over all ranks. */
export interface StepMetrics {
  step: number;
  queryLoss: number;
  supportLoss: number;
  tasks: number;
  samples: number;
  seconds: number;
  samplesPerSec: number;
  tasksPerSec: number;
  allReduce: { calls: number; bytes: number };
  allToAll: { calls: number; bytes: number };
}

/** Saved dense state of a trainer (embeddings are saved by their own collection). */
export interface TrainerState {
  step: number;
  names: string[];
  params: number[][];
  optimizer: OptimizerState;
}

/**
 * The distributed meta-trainer. Per meta-step ("gmeta"): one lookup of the unique ids of
 * support and query together, a communication-free inner loop over all tasks at once, one
 * bucketed AllReduce (mean) of dense gradients, one AlltoAllV of embedding gradient rows,
 * then Adam on dense weights and the sparse optimizer on owned rows.
 */
export class MetaTrainer {
  readonly learner: MetaLearner;
  readonly pg: ProcessGroup;
  readonly store: SparseStore;
  readonly strategy: Strategy;
  readonly optimizer: Adam;
  private readonly bucketElems: number;
  private stepCount = 0;
  private allReduceCalls = 0;
  private allReduceBytes = 0;

  constructor(o: MetaTrainerOptions) {
    this.learner = o.learner;
    this.pg = o.processGroup;
    this.store = o.embeddings;
    this.strategy = o.strategy ?? DEFAULT_TRAINER.strategy;
    if (this.strategy !== "gmeta" && this.strategy !== "naive") {
      throw new Error(`MetaTrainer: expected "gmeta" or "naive" for strategy, got ${JSON.stringify(o.strategy)}`);
    }
    this.optimizer = new Adam(this.learner.denseParameters(), { lr: o.outerLr ?? DEFAULT_TRAINER.outerLr, weightDecay: o.weightDecay ?? 0 });
    this.bucketElems = Math.max(1, Math.floor(((o.bucketMiB ?? DEFAULT_TRAINER.bucketMiB) * 2 ** 20) / 4));
  }

  get steps(): number {
    return this.stepCount;
  }

  /** One meta-step on this rank's share of the global meta-batch. */
  async step(batch: Pick<MetaBatch, "support" | "query">): Promise<StepMetrics> {
    const t0 = performance.now();
    const a2a0 = this.store.counters();
    const ar0 = { calls: this.allReduceCalls, bytes: this.allReduceBytes };
    const out = this.strategy === "gmeta" ? await this.gmetaStep(prepareBatch(this.learner.model, batch)) : await this.naiveStep(batch);
    this.stepCount++;
    const seconds = (performance.now() - t0) / 1000;
    const a2a1 = this.store.counters();
    return {
      step: this.stepCount,
      ...out,
      seconds,
      samplesPerSec: out.samples / seconds,
      tasksPerSec: out.tasks / seconds,
      allReduce: { calls: this.allReduceCalls - ar0.calls, bytes: this.allReduceBytes - ar0.bytes },
      allToAll: { calls: a2a1.calls - a2a0.calls, bytes: a2a1.bytes - a2a0.bytes },
    };
  }

  private async lookupLeaves(pb: PreparedBatch): Promise<Tensor[]> {
    const rows = await this.store.lookup(pb.tables.map((t) => t.table), pb.tables.map((t) => t.ids));
    const leaves = this.learner.leavesOnDevice(rows);
    for (const r of rows) if (!leaves.includes(r)) r.dispose();
    return leaves;
  }

  /** AllReduce-mean of dense gradients in buckets, with loss sums and counts riding along. */
  private async reduceDense(grads: Tensor[], extra: number[]): Promise<{ grads: Tensor[]; extra: Float32Array }> {
    const W = this.pg.size;
    const b = pack(grads, extra, this.bucketElems, this.pg.device);
    for (const buf of b.buffers) {
      await this.pg.allReduce(buf, "sum");
      this.allReduceCalls++;
      this.allReduceBytes += buf.numel * 4;
    }
    const out = unpack(b, grads);
    const mean = out.grads.map((g) => mul(g, 1 / W));
    for (const t of [...b.buffers, ...out.grads]) t.dispose();
    return { grads: mean, extra: out.extra };
  }

  /** Exchanges and applies one step's gradients; returns the global losses and counts. */
  private async finish(tables: string[], ids: BigInt64Array[], denseGrads: Tensor[], embGrads: Tensor[], sums: number[]) {
    const reduced = await this.reduceDense(denseGrads, sums);
    // The meta-loss is a mean over all ranks' tasks: each rank's rows carry 1/W of it. The
    // store moves them to the tables' device if that is another one.
    const scaled = embGrads.map((g) => mul(g, 1 / this.pg.size));
    try {
      const [q, , n] = reduced.extra;
      checkFiniteStep(this.stepCount + 1, { "query loss": q! / n! }, [...reduced.grads, ...scaled], [...this.gradNames(), ...tables.map((t) => `embedding rows of ${t}`)]);
      await this.store.applyGradients(tables, ids, scaled);
      this.optimizer.step(reduced.grads);
    } finally {
      for (const t of [...scaled, ...reduced.grads]) t.dispose();
    }
    const [qSum, sSum, tasks, samples] = reduced.extra;
    return { queryLoss: qSum! / tasks!, supportLoss: sSum! / tasks!, tasks: tasks!, samples: samples! };
  }

  private async gmetaStep(pb: PreparedBatch) {
    const rows = await this.lookupLeaves(pb);
    const T = pb.support.tasks;
    let grads: Tensor[] = [];
    try {
      const r = tidy(() => this.learner.step(pb, rows));
      grads = [...r.denseGrads, ...r.embeddingGrads];
      return await this.finish(pb.tables.map((t) => t.table), pb.tables.map((t) => t.ids), r.denseGrads, r.embeddingGrads,
        [r.queryLoss * T, r.supportLoss * T, T, countSamples(pb)]);
    } finally {
      for (const t of [...rows, ...grads]) t.dispose();
    }
  }

  /**
   * The DMAML-style baseline: tasks one at a time; per task a support lookup, one push of
   * the task's rows to their owners per inner step (a parameter server receiving adapted
   * rows), a separate query lookup, and an AllReduce of the task's dense gradients. The
   * arithmetic equals the G-Meta step's, so the two differ in time and traffic only.
   */
  private async naiveStep(batch: Pick<MetaBatch, "support" | "query">) {
    const T = batch.support.taskOffsets.length - 1;
    const steps = this.learner.config.innerSteps;
    let denseAcc = null as Tensor[] | null;
    const embIds = new Map<string, BigInt64Array[]>();
    const embGrads = new Map<string, Tensor[]>();
    let qSum = 0;
    let sSum = 0;
    let samples = 0;
    for (let t = 0; t < T; t++) {
      const pb = prepareBatch(this.learner.model, sliceTasks(batch, t, t + 1));
      samples += countSamples(pb);
      const names = pb.tables.map((x) => x.table);
      const ids = pb.tables.map((x) => x.ids);
      const rows = await this.lookupLeaves(pb);
      for (let s = 0; s < steps; s++) await this.store.push(names, ids, rows);
      for (const r of await this.store.lookup(names, ids)) r.dispose();
      const r = tidy(() => this.learner.step(pb, rows));
      qSum += r.queryLoss;
      sSum += r.supportLoss;
      const red = await this.reduceDense(r.denseGrads, []);
      const prev: Tensor[] | null = denseAcc;
      denseAcc = prev ? prev.map((a, i) => add(a, red.grads[i]!)) : red.grads.map((g) => mul(g, 1));
      for (const x of [...(prev ?? []), ...red.grads, ...r.denseGrads, ...rows]) x.dispose();
      pb.tables.forEach((x, k) => {
        embIds.set(x.table, [...(embIds.get(x.table) ?? []), x.ids]);
        embGrads.set(x.table, [...(embGrads.get(x.table) ?? []), r.embeddingGrads[k]!]);
      });
    }
    const tables = [...embIds.keys()];
    const ids = tables.map((n) => concatIds(embIds.get(n)!));
    // Per-task gradients were of per-task losses: the meta-loss is their mean.
    const grads = tables.map((n) => tidy(() => mul(concat(embGrads.get(n)!, 0), 1 / T)));
    const meanDense = (denseAcc ?? []).map((g) => mul(g, 1 / T));
    const scaled = grads.map((g) => mul(g, 1 / this.pg.size));
    try {
      // Gradients of all tasks go back once, answering one lookup of all their ids.
      for (const r of await this.store.lookup(tables, ids)) r.dispose();
      checkFiniteStep(this.stepCount + 1, {}, [...meanDense, ...scaled], [...this.gradNames(), ...tables.map((t) => `embedding rows of ${t}`)]);
      await this.store.applyGradients(tables, ids, scaled);
      this.optimizer.step(meanDense);
    } finally {
      for (const x of [...(denseAcc ?? []), ...meanDense, ...grads, ...scaled, ...[...embGrads.values()].flat()]) x.dispose();
    }
    const totals = await this.reduceDense([], [qSum, sSum, T, samples]);
    const [q, s, tasks, n] = totals.extra;
    return { queryLoss: q! / tasks!, supportLoss: s! / tasks!, tasks: tasks!, samples: n! };
  }

  // Names of denseParameters() in order, as state() lists them.
  private gradNames(): string[] {
    const names = this.learner.model.params.map((p) => p.name);
    return [...names, ...(this.learner.innerLrs ? names.map((n) => `innerLr.${n}`) : [])];
  }

  /** Dense parameters and optimizer state, for checkpoints. */
  state(): TrainerState {
    const names = this.learner.model.params.map((p) => p.name);
    const all = [...names, ...(this.learner.innerLrs ? names.map((n) => `innerLr.${n}`) : [])];
    return {
      step: this.stepCount,
      names: all,
      params: this.learner.denseParameters().map((p) => Array.from(p.toArray() as Float32Array)),
      optimizer: this.optimizer.state(),
    };
  }

  loadState(s: TrainerState): void {
    const params = this.learner.denseParameters();
    const names = this.state().names;
    // Everything is checked before anything is written, so a bad checkpoint changes nothing.
    if (JSON.stringify(s.names) !== JSON.stringify(names)) {
      throw new Error(`MetaTrainer.loadState: expected parameters ${names.join(", ")} for the checkpoint, got ${(s.names ?? []).join(", ")}`);
    }
    params.forEach((p, i) => {
      const n = s.params[i]?.length;
      if (n !== p.numel) throw new Error(`MetaTrainer.loadState: expected ${p.numel} values for ${names[i]}, got ${n}`);
    });
    params.forEach((p, i) => assign(p, s.params[i]!));
    this.optimizer.loadState(s.optimizer);
    this.stepCount = s.step;
  }
}

function countSamples(pb: PreparedBatch): number {
  let n = 0;
  for (const c of pb.support.counts) n += c;
  for (const c of pb.query.counts) n += c;
  return n;
}

function concatIds(parts: BigInt64Array[]): BigInt64Array {
  const out = new BigInt64Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
