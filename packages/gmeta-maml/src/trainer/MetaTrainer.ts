import type { ProcessGroup } from "@gmeta/collectives";
import { applyGradientsTogether } from "@gmeta/embedding";
import type { LookupSession, ShardedEmbeddingCollection } from "@gmeta/embedding";
import type { BatchTransformSpec, MetaBatch } from "@gmeta/io";
import type { OpProfile, Scope, SignatureStatus, Tensor } from "@gmeta/tensor";
import { Adam, add, assign, clone, mul, tidy, tidyAsync } from "@gmeta/tensor";
import type { OptimizerState } from "@gmeta/tensor";
import { prepareStep, supportPart } from "../data/PreparedStep.js";
import type { PreparedStep, StepPrepConfig, TableInput } from "../data/PreparedStep.js";
import type { LossWeights, MetaLearner, MetaStepResult } from "../learner/MetaLearner.js";
import { CompiledStep } from "../learner/CompiledStep.js";
import { realSamples } from "../learner/StepInputs.js";
import { prepareStepOf } from "./preparedInput.js";
import { prepareTransformSpec, stepPrepConfig } from "./batchPreparation.js";
import { pack, unpack } from "./bucket.js";
import { DEFAULT_TRAINER } from "./defaults.js";
import { checkFiniteStep } from "./finiteCheck.js";
import { sliceTasks } from "./sliceBatch.js";

export type Strategy = "gmeta" | "naive";

export interface MetaTrainerOptions {
  learner: MetaLearner;
  processGroup: ProcessGroup;
  /** The sharded tables the model's slots read (every slot's table must be one of them). */
  embeddings: ShardedEmbeddingCollection;
  /** Outer (meta) learning rate of Adam on the dense meta-parameters. */
  outerLr?: number;
  weightDecay?: number;
  /** "gmeta": the G-Meta step; "naive": the DMAML-style baseline, kept to measure the speed-up. */
  strategy?: Strategy;
  /** Largest AllReduce bucket in MiB (default 25, as in PyTorch DDP). */
  bucketMiB?: number;
  /**
   * Capture the learner step (inner loop, query loss, meta-gradients) once per shape bucket
   * and replay it natively (default true); false runs it eagerly, the reference path.
   */
  compile?: boolean;
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

/** One step's learner result on this rank with its weights in the global objective. */
interface RankPart {
  /** The tables of the step, in the order of its embedding gradients. */
  tables: string[];
  result: MetaStepResult;
  weights: LossWeights;
  tasks: number;
  samples: number;
}

/**
 * The distributed meta-trainer. Per meta-step ("gmeta"): one lookup of the ids of support
 * and query together, a communication-free inner loop over all tasks at once, one bucketed
 * AllReduce of dense gradients, one AlltoAllV of embedding gradient rows, then Adam on dense
 * weights and the sparse optimizer on owned rows. Every rank's share weighs by its tasks
 * (its samples for the baseline), so any rank count gives the single-process result.
 */
export class MetaTrainer {
  readonly learner: MetaLearner;
  readonly pg: ProcessGroup;
  readonly embeddings: ShardedEmbeddingCollection;
  readonly strategy: Strategy;
  readonly optimizer: Adam;
  private readonly bucketElems: number;
  private readonly compiled: CompiledStep;
  /** How this trainer's batches are prepared (on its thread, or in a loader's workers). */
  private readonly prep: StepPrepConfig;
  private stepCount = 0;
  private allReduceCalls = 0;
  private allReduceBytes = 0;

  constructor(o: MetaTrainerOptions) {
    this.learner = o.learner;
    this.pg = o.processGroup;
    this.embeddings = o.embeddings;
    this.strategy = o.strategy ?? DEFAULT_TRAINER.strategy;
    if (this.strategy !== "gmeta" && this.strategy !== "naive") {
      throw new Error(`MetaTrainer: expected "gmeta" or "naive" for strategy, got ${JSON.stringify(o.strategy)}`);
    }
    this.optimizer = new Adam(this.learner.denseParameters(), { lr: o.outerLr ?? DEFAULT_TRAINER.outerLr, weightDecay: o.weightDecay ?? 0 });
    this.bucketElems = Math.max(1, Math.floor(((o.bucketMiB ?? DEFAULT_TRAINER.bucketMiB) * 2 ** 20) / 4));
    this.compiled = new CompiledStep(this.learner, { compile: o.compile });
    this.prep = stepPrepConfig(this.learner, this.embeddings, this.compiled.buckets);
  }

  /**
   * The loader transform (@gmeta/io's LoaderOptions.transform) that prepares batches for this
   * trainer in the loader's worker threads: padding, the lookup's dedup, pair numbering and
   * the learner step's host inputs, overlapped with the step. Undefined for the baseline,
   * which prepares task by task. A batch without it is prepared on this thread, the same way.
   */
  batchTransform(): BatchTransformSpec | undefined {
    return this.strategy === "gmeta" ? prepareTransformSpec(this.prep) : undefined;
  }

  /** How each shape bucket of the learner step runs (compiled, or eagerly and why). */
  compileStatus(): SignatureStatus[] {
    return this.compiled.status();
  }

  /** Tensors the compiled learner step owns between steps (its programs' slots and outputs). */
  heldTensors(): Set<Tensor> {
    return this.compiled.heldTensors();
  }

  /** One timed replay of the latest compiled learner step, per op (per GEMM shape with `byShape`). */
  compileProfile(byShape = false): OpProfile[] | null {
    return this.compiled.profile(byShape);
  }

  get steps(): number {
    return this.stepCount;
  }

  /** One meta-step on this rank's share of the global meta-batch. Collective. */
  async step(batch: Pick<MetaBatch, "support" | "query" | "prepared">): Promise<StepMetrics> {
    const t0 = performance.now();
    const a2a0 = this.allToAllSoFar();
    const ar0 = { calls: this.allReduceCalls, bytes: this.allReduceBytes };
    const out = await tidyAsync((scope) => (this.strategy === "gmeta" ? this.gmetaStep(scope, batch) : this.naiveStep(scope, batch)));
    this.stepCount++;
    const seconds = (performance.now() - t0) / 1000;
    const a2a1 = this.allToAllSoFar();
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

  /** The G-Meta step, DESIGN.md steps 1-6. */
  private async gmetaStep(scope: Scope, batch: Pick<MetaBatch, "support" | "query" | "prepared">) {
    const prep = prepareStepOf(this.prep, batch);
    const session = await this.lookup(prep, prep.lookups); // 1
    try {
      const part = this.learnerStep(scope, prep, session); // 2-4
      const totals = await this.reduceDense(scope, [part]); // 5, dense
      this.checkFinite(totals.metrics.queryLoss, totals.grads, [part]);
      await this.applySparse(scope, [session], [part], totals.objective); // 5 and 6, sparse
      this.outerUpdate(scope, totals.grads); // 6, dense
      return totals.metrics;
    } finally {
      session.dispose();
    }
  }

  /**
   * The DMAML-style baseline: tasks one at a time; per task a support lookup, one push of
   * its rows to their owners per inner step (a parameter server receiving adapted rows), a
   * lookup of the task's support and query rows again, and an AllReduce of the task's dense
   * gradients. The arithmetic equals the G-Meta step's, so the two differ in time and
   * traffic only; the sparse gradients of all tasks still go home in one update.
   */
  private async naiveStep(scope: Scope, batch: Pick<MetaBatch, "support" | "query">) {
    const T = batch.support.taskOffsets.length - 1;
    const sessions: LookupSession[] = [];
    const parts: RankPart[] = [];
    const reducedGrads: Tensor[][] = [];
    try {
      for (let t = 0; t < T; t++) {
        const prep = prepareStep(this.prep, sliceTasks(batch, t, t + 1));
        const support = await this.lookup(prep, prep.lookups.map((d, k) => supportPart(d, prep.supportIds[k]!)));
        try {
          const rows = Object.fromEntries(prep.tables.map((name) => [name, support.get(name).unique]));
          for (let s = 0; s < this.learner.config.innerSteps; s++) await support.push(rows);
        } finally {
          support.dispose();
        }
        const session = await this.lookup(prep, prep.lookups);
        sessions.push(session);
        // The next task's step overwrites the compiled step's outputs: keep what is read later.
        const part = this.learnerStep(scope, prep, session, true);
        parts.push(part);
        reducedGrads.push(await this.allReduceSum(scope, part.result.denseGrads.map((g) => scope.run(() => mul(g, part.weights.objective))), []).then((r) => r.grads));
      }
      const totals = await this.reduceTotals(scope, parts);
      // Σ over tasks of each task's weighted, reduced gradients, over the global weight.
      const dense = scope.run(() => (reducedGrads[0] ?? []).map((_, i) => mul(reducedGrads.map((g) => g[i]!).reduce((a, g) => add(a, g)), 1 / totals.objective)));
      this.checkFinite(totals.metrics.queryLoss, dense, parts);
      await this.applySparse(scope, sessions, parts, totals.objective);
      this.outerUpdate(scope, dense);
      return totals.metrics;
    } finally {
      for (const s of sessions) s.dispose();
    }
  }

  /** Step 1: one lookup of the prepared batch's ids per table, deduplicated already (or of a part of them). */
  private lookup(prep: PreparedStep, ids: TableInput[]): Promise<LookupSession> {
    return this.embeddings.lookup(Object.fromEntries(prep.tables.map((name, k) => [name, ids[k]!])));
  }

  /**
   * Steps 2-4 on this rank's tasks: the prepared batch's host inputs go into the compiled
   * step (captured once per shape bucket, then replayed), whose outputs stay valid until its
   * next run; `keep` copies what is read after that.
   */
  private learnerStep(scope: Scope, prep: PreparedStep, session: LookupSession, keep = false): RankPart {
    const result: MetaStepResult = scope.run(() => {
      const leaves = this.learner.leavesOnDevice(prep.tables.map((name) => session.get(name).unique));
      const out = this.compiled.runInputs(prep.host, leaves);
      if (!keep) return out;
      return { queryLoss: clone(out.queryLoss), supportLoss: clone(out.supportLoss), denseGrads: out.denseGrads, embeddingGrads: out.embeddingGrads.map((g) => clone(g)) };
    });
    return { tables: prep.tables, result, weights: this.learner.lossWeights(prep), tasks: prep.support.tasks, samples: realSamples(prep.support) + realSamples(prep.query) };
  }

  /** Step 5, dense half: the weighted AllReduce of this rank's gradients, divided by the global weight. */
  private async reduceDense(scope: Scope, parts: RankPart[]) {
    const p = parts[0]!;
    const weighted = scope.run(() => p.result.denseGrads.map((g) => mul(g, p.weights.objective)));
    const r = await this.allReduceSum(scope, weighted, lossSums(parts));
    const totals = readTotals(r.extra);
    return { ...totals, grads: scope.run(() => r.grads.map((g) => mul(g, 1 / totals.objective))) };
  }

  /** The global weights and losses of the baseline's tasks, after its per-task AllReduces. */
  private async reduceTotals(scope: Scope, parts: RankPart[]) {
    return readTotals((await this.allReduceSum(scope, [], lossSums(parts))).extra);
  }

  /** Steps 5 and 6, sparse half: E_U's gradients, weighted like the dense ones, go home in one update. */
  private async applySparse(scope: Scope, sessions: LookupSession[], parts: RankPart[], objective: number): Promise<void> {
    const grads = parts.map((p) => scope.run(() => Object.fromEntries(p.tables.map((name, k) => [name, mul(p.result.embeddingGrads[k]!, p.weights.objective / objective)]))));
    await applyGradientsTogether(sessions, grads);
  }

  /**
   * Stops before any update when the step's loss or a gradient is not finite, naming the step
   * and the tensor: the reduced loss and dense gradients (every rank stops at the same step),
   * and this rank's embedding gradients.
   */
  private checkFinite(queryLoss: number, dense: Tensor[], parts: RankPart[]): void {
    const names = this.learner.model.params.map((p) => p.name);
    const denseNames = [...names, ...(this.learner.innerLrs ? names.map((n) => `innerLr.${n}`) : [])];
    const rows = parts.flatMap((p) => p.result.embeddingGrads);
    const rowNames = parts.flatMap((p) => p.tables.map((t) => `embedding rows of ${t}`));
    checkFiniteStep(this.stepCount + 1, { "query loss": queryLoss }, [...dense, ...rows], [...denseNames, ...rowNames]);
  }

  /** Step 6, dense half: Adam on every rank identically. */
  private outerUpdate(scope: Scope, grads: Tensor[]): void {
    scope.run(() => tidy(() => this.optimizer.step(grads)));
  }

  /** AllReduce (sum) of dense gradients in buckets, with extra numbers riding along. */
  private async allReduceSum(scope: Scope, grads: Tensor[], extra: number[]): Promise<{ grads: Tensor[]; extra: Float32Array }> {
    const b = pack(grads, extra, this.bucketElems, this.pg.device);
    for (const buf of b.buffers) scope.adopt(buf);
    for (const buf of b.buffers) {
      await this.pg.allReduce(buf, "sum");
      this.allReduceCalls++;
      this.allReduceBytes += buf.numel * 4;
    }
    const out = unpack(b, grads);
    for (const g of out.grads) scope.adopt(g);
    return out;
  }

  private allToAllSoFar(): { calls: number; bytes: number } {
    const c = this.embeddings.counters;
    return {
      calls: c.lookup.allToAllCalls + c.update.allToAllCalls + c.push.allToAllCalls,
      bytes: c.lookup.bytesSent + c.update.bytesSent + c.push.bytesSent,
    };
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

  /** Frees the optimizer's state and the compiled programs (the learner and the tables belong to their creators). */
  dispose(): void {
    this.compiled.dispose();
    this.optimizer.dispose();
  }
}

/** This rank's weighted loss sums and weights: what rides along in the AllReduce. The losses are read here, after the learner step. */
function lossSums(parts: RankPart[]): number[] {
  const out = [0, 0, 0, 0, 0, 0, 0];
  for (const p of parts) {
    const w = p.weights;
    out[0]! += p.result.queryLoss.item() * w.query;
    out[1]! += p.result.supportLoss.item() * w.support;
    out[2]! += w.objective;
    out[3]! += w.query;
    out[4]! += w.support;
    out[5]! += p.tasks;
    out[6]! += p.samples;
  }
  return out;
}

/** Global losses and counts from the reduced sums of lossSums. */
function readTotals(e: Float32Array) {
  const [qSum, sSum, objective, wq, ws, tasks, samples] = Array.from(e);
  return { objective: objective!, metrics: { queryLoss: qSum! / wq!, supportLoss: sSum! / ws!, tasks: tasks!, samples: samples! } };
}
