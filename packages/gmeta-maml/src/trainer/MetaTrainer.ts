import type { ProcessGroup } from "@gmeta/collectives";
import { applyGradientsTogether } from "@gmeta/embedding";
import type { LookupSession, ShardedEmbeddingCollection } from "@gmeta/embedding";
import type { BatchTransformSpec, MetaBatch } from "@gmeta/io";
import type { OpProfile, Scope, SignatureStatus, Tensor } from "@gmeta/tensor";
import { Adam, add, assign, clone, mul, slice, tidy, tidyAsync } from "@gmeta/tensor";
import type { FlatGradients, OptimizerState } from "@gmeta/tensor";
import { prepareStep, supportPart } from "../data/PreparedStep.js";
import type { PreparedStep, StepPrepConfig, TableInput } from "../data/PreparedStep.js";
import type { LossWeights, MetaLearner, MetaStepResult } from "../learner/MetaLearner.js";
import { CompiledStep, STEP_EXTRAS } from "../learner/CompiledStep.js";
import type { FlatLayout, StepWeights } from "../learner/CompiledStep.js";
import { realSamples } from "../learner/StepInputs.js";
import { prepareStepOf } from "./preparedInput.js";
import { prepareTransformSpec, stepPrepConfig } from "./batchPreparation.js";
import { bucketPlaces, pack, unpack } from "./bucket.js";
import { DEFAULT_TRAINER } from "./defaults.js";
import { checkFiniteFlat, checkFiniteStep } from "./finiteCheck.js";
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
  /** Seconds of the step on this rank by phase (they add up to `seconds`). */
  timings: StepTimings;
}

/**
 * Where a step's time went, by DESIGN.md's steps: padding and numbering the batch, the
 * lookup (1), the learner step (2-4, the compiled program), the dense AllReduce (5), the
 * sparse update (5-6, rows home and the sparse optimizer) and the dense update (6), with
 * the finite check in `update`.
 */
export interface StepTimings {
  prepare: number;
  lookup: number;
  learner: number;
  reduce: number;
  sparse: number;
  update: number;
}

/** Adds the time since the last mark to a phase. */
class PhaseClock {
  readonly t: StepTimings = { prepare: 0, lookup: 0, learner: 0, reduce: 0, sparse: 0, update: 0 };
  private readonly start = performance.now();
  private last = this.start;
  mark(phase: keyof StepTimings): void {
    const now = performance.now();
    this.t[phase] += (now - this.last) / 1000;
    this.last = now;
  }
  /** Seconds from the clock's start to its last mark: the phases' sum, read off the same clock reads. */
  get seconds(): number {
    return (this.last - this.start) / 1000;
  }
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
  result: MetaStepResult & { buckets?: Tensor[] };
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
  /** Where the G-Meta step's program packs the dense gradients for AllReduce (unset: packed here). */
  private readonly flat?: FlatLayout;
  /** How this trainer's batches are prepared (on its thread, or in a loader's workers). */
  private readonly prep: StepPrepConfig;
  /** Names of `learner.denseParameters()`, in order (checkpoints and finite checks name them). */
  private readonly denseNames: string[];
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
    const names = this.learner.model.params.map((p) => p.name);
    this.denseNames = [...names, ...(this.learner.innerLrs ? names.map((n) => `innerLr.${n}`) : [])];
    this.optimizer = new Adam(this.learner.denseParameters(), { lr: o.outerLr ?? DEFAULT_TRAINER.outerLr, weightDecay: o.weightDecay ?? 0 });
    this.bucketElems = Math.max(1, Math.floor(((o.bucketMiB ?? DEFAULT_TRAINER.bucketMiB) * 2 ** 20) / 4));
    // The G-Meta step's program writes its weighted gradients straight into AllReduce buckets
    // when it runs where the process group reduces; the naive strategy reduces task by task.
    if (this.strategy === "gmeta" && this.learner.config.device === this.pg.device) {
      const b = bucketPlaces(this.learner.denseParameters().map((p) => p.numel), this.bucketElems);
      this.flat = { places: b.places, buckets: b.sizes.length };
    }
    this.compiled = new CompiledStep(this.learner, { compile: o.compile, flat: this.flat });
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
    const a2a0 = this.allToAllSoFar();
    const ar0 = { calls: this.allReduceCalls, bytes: this.allReduceBytes };
    const clock = new PhaseClock();
    const out = await tidyAsync((scope) => (this.strategy === "gmeta" ? this.gmetaStep(scope, batch, clock) : this.naiveStep(scope, batch, clock)));
    clock.mark("update"); // the step's temporaries freed
    this.stepCount++;
    const seconds = clock.seconds;
    const a2a1 = this.allToAllSoFar();
    return {
      step: this.stepCount,
      ...out,
      seconds,
      samplesPerSec: out.samples / seconds,
      tasksPerSec: out.tasks / seconds,
      allReduce: { calls: this.allReduceCalls - ar0.calls, bytes: this.allReduceBytes - ar0.bytes },
      allToAll: { calls: a2a1.calls - a2a0.calls, bytes: a2a1.bytes - a2a0.bytes },
      timings: clock.t,
    };
  }

  /** The G-Meta step, DESIGN.md steps 1-6. */
  private async gmetaStep(scope: Scope, batch: Pick<MetaBatch, "support" | "query" | "prepared">, clock: PhaseClock) {
    const prep = prepareStepOf(this.prep, batch);
    clock.mark("prepare");
    const session = await this.lookup(prep, prep.lookups); // 1
    clock.mark("lookup");
    try {
      const part = this.learnerStep(scope, prep, session, false, clock); // 2-4
      // 5, dense: the flat step's own buckets reduced in place, or its gradients packed here.
      const flat: FlatGradients | undefined = this.flat ? { buffers: part.result.buckets!, places: this.flat.places } : undefined;
      const { totals, dense } = flat
        ? { totals: await this.reduceBuckets(flat.buffers), dense: flat }
        : await this.reduceDense(scope, [part]).then((t) => ({ totals: t, dense: t.grads }));
      clock.mark("reduce");
      this.checkFinite(totals.metrics.queryLoss, dense, [part]);
      clock.mark("update");
      await this.applySparse(scope, [session], [part], totals.objective); // 5 and 6, sparse
      clock.mark("sparse");
      // 6, dense: Adam reads flat gradients at their offsets, scaled by 1 / the global weight.
      if (Array.isArray(dense)) this.outerUpdate(scope, dense);
      else this.optimizer.step(dense, { scale: 1 / totals.objective });
      clock.mark("update");
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
  private async naiveStep(scope: Scope, batch: Pick<MetaBatch, "support" | "query">, clock: PhaseClock) {
    const T = batch.support.taskOffsets.length - 1;
    const sessions: LookupSession[] = [];
    const parts: RankPart[] = [];
    const reducedGrads: Tensor[][] = [];
    try {
      for (let t = 0; t < T; t++) {
        const prep = prepareStep(this.prep, sliceTasks(batch, t, t + 1));
        clock.mark("prepare");
        const support = await this.lookup(prep, prep.lookups.map((d, k) => supportPart(d, prep.supportIds[k]!)));
        try {
          const rows = Object.fromEntries(prep.tables.map((name) => [name, support.get(name).unique]));
          for (let s = 0; s < this.learner.config.innerSteps; s++) await support.push(rows);
        } finally {
          support.dispose();
        }
        const session = await this.lookup(prep, prep.lookups);
        sessions.push(session);
        clock.mark("lookup");
        // The next task's step overwrites the compiled step's outputs: keep what is read later.
        const part = this.learnerStep(scope, prep, session, true, clock);
        parts.push(part);
        reducedGrads.push(await this.allReduceSum(scope, part.result.denseGrads.map((g) => scope.run(() => mul(g, part.weights.objective))), []).then((r) => r.grads));
        clock.mark("reduce");
      }
      const totals = await this.reduceTotals(scope, parts);
      // Σ over tasks of each task's weighted, reduced gradients, over the global weight.
      const dense = scope.run(() => (reducedGrads[0] ?? []).map((_, i) => mul(reducedGrads.map((g) => g[i]!).reduce((a, g) => add(a, g)), 1 / totals.objective)));
      clock.mark("reduce");
      this.checkFinite(totals.metrics.queryLoss, dense, parts);
      clock.mark("update");
      await this.applySparse(scope, sessions, parts, totals.objective);
      clock.mark("sparse");
      this.outerUpdate(scope, dense);
      clock.mark("update");
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
  private learnerStep(scope: Scope, prep: PreparedStep, session: LookupSession, keep: boolean, clock: PhaseClock): RankPart {
    const weights = this.learner.lossWeights(prep);
    const tasks = prep.support.tasks;
    const samples = realSamples(prep.support) + realSamples(prep.query);
    const stepWeights: StepWeights = [weights.objective, weights.query, weights.support, tasks, samples];
    clock.mark("prepare");
    const result: MetaStepResult & { buckets?: Tensor[] } = scope.run(() => {
      const leaves = this.learner.leavesOnDevice(prep.tables.map((name) => session.get(name).unique));
      const out = this.compiled.runInputs(prep.host, leaves, this.flat ? stepWeights : undefined);
      if (!keep) return out;
      return { queryLoss: clone(out.queryLoss), supportLoss: clone(out.supportLoss), denseGrads: out.denseGrads, embeddingGrads: out.embeddingGrads.map((g) => clone(g)) };
    });
    clock.mark("learner");
    return { tables: prep.tables, result, weights, tasks, samples };
  }

  /** Step 5, dense half, for the flat step: the buckets are reduced in place; the losses and weights ride at the end. */
  private async reduceBuckets(buckets: readonly Tensor[]) {
    for (const buf of buckets) {
      await this.pg.allReduce(buf, "sum");
      this.allReduceCalls++;
      this.allReduceBytes += buf.numel * 4;
    }
    const last = buckets[buckets.length - 1]!;
    if (last.device === "cpu") return readTotals((last.hostView() as Float32Array).subarray(last.numel - STEP_EXTRAS));
    const tail = slice(last, 0, last.numel - STEP_EXTRAS);
    try {
      return readTotals(tail.toArray() as Float32Array);
    } finally {
      tail.dispose();
    }
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
    const grads = parts.map((p) => {
      const f = p.weights.objective / objective;
      // One rank's whole objective (f = 1) needs no scaling pass.
      return scope.run(() => Object.fromEntries(p.tables.map((name, k) => [name, f === 1 ? p.result.embeddingGrads[k]! : mul(p.result.embeddingGrads[k]!, f)])));
    });
    await applyGradientsTogether(sessions, grads);
  }

  /**
   * Stops before any update when the step's loss or a gradient is not finite, naming the step
   * and the tensor: the reduced loss and dense gradients (every rank stops at the same step),
   * and this rank's embedding gradients.
   */
  private checkFinite(queryLoss: number, dense: Tensor[] | FlatGradients, parts: RankPart[]): void {
    const step = this.stepCount + 1;
    const rows = parts.flatMap((p) => p.result.embeddingGrads);
    const rowNames = parts.flatMap((p) => p.tables.map((t) => `embedding rows of ${t}`));
    if (Array.isArray(dense)) {
      checkFiniteStep(step, { "query loss": queryLoss }, [...dense, ...rows], [...this.denseNames, ...rowNames]);
      return;
    }
    // The flat step's reduced buckets hold the dense gradients (times the global weight); the
    // order is the same: the loss, the dense gradients, then the rows.
    checkFiniteStep(step, { "query loss": queryLoss }, [], []);
    checkFiniteFlat(step, dense, this.denseNames);
    checkFiniteStep(step, {}, rows, rowNames);
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
    return {
      step: this.stepCount,
      names: this.denseNames.slice(),
      params: this.learner.denseParameters().map((p) => Array.from(p.toArray() as Float32Array)),
      optimizer: this.optimizer.state(),
    };
  }

  loadState(s: TrainerState): void {
    const params = this.learner.denseParameters();
    const names = this.denseNames;
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
