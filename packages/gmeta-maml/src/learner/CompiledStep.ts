import type { CompiledFunction, HostInput, OpProfile, SignatureStatus, Tensor } from "@gmeta/tensor";
import { compile, slice } from "@gmeta/tensor";
import { bucketSize, padRows, unflattenStep } from "./StepInputs.js";
import type { PreparedBatch } from "../data/PreparedBatch.js";
import type { MetaLearner, MetaStepResult } from "./MetaLearner.js";

/** One learner step's results; the tensors belong to the step runner until its next run. */
export interface StepOutput {
  queryLoss: Tensor;
  supportLoss: Tensor;
  denseGrads: Tensor[];
  /** Gradients of the real unique rows of each table (padding rows cut off). */
  embeddingGrads: Tensor[];
}

/**
 * The learner step (inner loop, query loss, meta-gradients: DESIGN steps 2–4) captured once
 * per shape bucket and replayed natively, or run eagerly when compiling is off (the
 * reference path). Batches are padded to shape buckets with masks, E_U with zero rows that
 * no pair references, so padding changes no result.
 */
export class CompiledStep {
  private readonly fn: CompiledFunction<MetaStepResult>;
  /** Whether batches are padded to shape buckets (their host inputs must be made so). */
  readonly buckets: boolean;
  private cut: Tensor[] = [];

  constructor(
    readonly learner: MetaLearner,
    options: { compile?: boolean; buckets?: boolean } = {},
  ) {
    const layout = learner.layout();
    // Padding to buckets serves replays; an eager step may take it too (to compare like with like).
    this.buckets = options.buckets ?? options.compile ?? true;
    this.fn = compile(
      (xs: Tensor[]) => learner.step(unflattenStep(xs.slice(layout.tables), layout), xs.slice(0, layout.tables)),
      { name: "meta-step", enabled: options.compile ?? true, maxPrograms: 32 },
    );
  }

  /** Runs the step on `pb` with E_U `rows` (leaves that require grad, one per table). */
  run(pb: PreparedBatch, rows: Tensor[]): StepOutput {
    return this.runInputs(this.learner.inputs(pb, this.buckets), rows);
  }

  /** Runs the step on a batch's host inputs made already (`learner.inputs(pb, this.buckets)`, e.g. in a loader worker). */
  runInputs(host: HostInput[], rows: Tensor[]): StepOutput {
    for (const t of this.cut) t.dispose();
    this.cut = [];
    const padded = rows.map((x) => (this.buckets ? padRows(x, bucketSize(x.shape[0]!)) : x));
    let r: MetaStepResult;
    try {
      r = this.fn.run([...padded, ...host]);
    } finally {
      padded.forEach((p, k) => p !== rows[k] && p.dispose());
    }
    const embeddingGrads = r.embeddingGrads.map((g, k) => {
      const n = rows[k]!.shape[0]!;
      if (g.shape[0] === n) return g;
      const s = slice(g, 0, 0, n);
      this.cut.push(s);
      return s;
    });
    return { queryLoss: r.queryLoss, supportLoss: r.supportLoss, denseGrads: r.denseGrads, embeddingGrads };
  }

  /** How each shape bucket runs: compiled, or eagerly and why. */
  status(): SignatureStatus[] {
    return this.fn.status();
  }

  /** One timed replay of the latest program, per op (null when it ran eagerly). */
  profile(byShape = false): OpProfile[] | null {
    return this.fn.profile(byShape);
  }

  /** Tensors this step owns between runs (program slots and outputs, cut row gradients). */
  heldTensors(): Set<Tensor> {
    const out = this.fn.heldTensors();
    for (const t of this.cut) out.add(t);
    return out;
  }

  /** Shape buckets captured so far. */
  get captures(): number {
    return this.fn.captures;
  }

  dispose(): void {
    for (const t of this.cut) t.dispose();
    this.cut = [];
    this.fn.dispose();
  }
}

