import type { CompiledFunction, Device, FlatGradients, HostInput, OpProfile, SignatureStatus, Tensor } from "@gmeta/tensor";
import { compile, concat, mul, reshape, slice } from "@gmeta/tensor";
import { bucketSize, unflattenStep } from "./StepInputs.js";
import type { PreparedBatch } from "../data/PreparedBatch.js";
import type { MetaLearner, MetaStepResult } from "./MetaLearner.js";

/** One learner step's results; the tensors belong to the step runner until its next run. */
export interface StepOutput {
  queryLoss: Tensor;
  supportLoss: Tensor;
  denseGrads: Tensor[];
  /** Gradients of the real unique rows of each table (padding rows cut off). */
  embeddingGrads: Tensor[];
  /**
   * With `flat`: the dense gradients times the step's objective weight, packed into AllReduce
   * buckets, the last followed by the weighted loss sums and weights (STEP_EXTRAS).
   */
  buckets?: Tensor[];
}

/** What follows the gradients in the last bucket: [queryLoss·w.query, supportLoss·w.support, ...STEP_WEIGHTS]. */
export const STEP_EXTRAS = 7;

/** The step's weights, a host input of the flat step: [objective, query, support, tasks, samples]. */
export type StepWeights = [number, number, number, number, number];

/** The flat layout of the dense gradients: `places` as for an optimizer step, `buckets` buffers. */
export interface FlatLayout {
  places: FlatGradients["places"];
  buckets: number;
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

  private readonly flat?: FlatLayout;

  constructor(
    readonly learner: MetaLearner,
    options: { compile?: boolean; buckets?: boolean; flat?: FlatLayout } = {},
  ) {
    const layout = learner.layout();
    // Padding to buckets serves replays; an eager step may take it too (to compare like with like).
    this.buckets = options.buckets ?? options.compile ?? true;
    this.flat = options.flat;
    const flat = this.flat;
    this.fn = compile(
      (xs: Tensor[]) => {
        const n = xs.length - (flat ? 1 : 0);
        const r = learner.step(unflattenStep(xs.slice(layout.tables, n), layout), xs.slice(0, layout.tables));
        return flat ? { ...r, buckets: packWeighted(r, xs[n]!, flat) } : r;
      },
      { name: "meta-step", enabled: options.compile ?? true, maxPrograms: 32 },
    );
  }

  /**
   * Runs the step on `pb` with E_U `rows` (leaves that require grad, one per table); a flat
   * step also takes its weights and returns the packed buckets.
   */
  run(pb: PreparedBatch, rows: Tensor[], weights?: StepWeights): StepOutput {
    return this.runInputs(this.learner.inputs(pb, this.buckets), rows, weights);
  }

  /** Runs the step on a batch's host inputs made already (`learner.inputs(pb, this.buckets)`, e.g. in a loader worker). */
  runInputs(inputs: HostInput[], rows: Tensor[], weights?: StepWeights): StepOutput {
    if (this.flat && !weights) throw new Error("CompiledStep.run: expected the step weights for a flat step, got none");
    for (const t of this.cut) t.dispose();
    this.cut = [];
    const host = this.flat ? [...inputs, { data: Float32Array.from(weights!), shape: [weights!.length], device: this.learner.config.device as Device }] : inputs;
    // E_U padded to its bucket with zero rows that no pair references, written into the program's slots.
    const padded = rows.map((x) => (this.buckets ? { tensor: x, rows: bucketSize(x.shape[0]!) } : x));
    const r: MetaStepResult & { buckets?: Tensor[] } = this.fn.run([...padded, ...host]);
    const embeddingGrads = r.embeddingGrads.map((g, k) => {
      const n = rows[k]!.shape[0]!;
      if (g.shape[0] === n) return g;
      const s = slice(g, 0, 0, n);
      this.cut.push(s);
      return s;
    });
    return { queryLoss: r.queryLoss, supportLoss: r.supportLoss, denseGrads: r.denseGrads, embeddingGrads, buckets: r.buckets };
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


/**
 * Inside the captured step: the dense gradients times the objective weight, concatenated per
 * bucket, the last bucket followed by the weighted losses and the weights, so the trainer's
 * AllReduce reads one program output per bucket and nothing is packed outside.
 */
function packWeighted(r: MetaStepResult, weights: Tensor, flat: FlatLayout): Tensor[] {
  const objective = slice(weights, 0, 0, 1);
  const extras = [
    reshape(mul(r.queryLoss, slice(weights, 0, 1, 2)), [1]),
    reshape(mul(r.supportLoss, slice(weights, 0, 2, 3)), [1]),
    weights,
  ];
  return Array.from({ length: flat.buckets }, (_, b) => {
    const parts = r.denseGrads.flatMap((g, i) => (flat.places[i]!.bucket === b ? [reshape(g, [g.numel])] : []));
    const scaled = parts.length > 0 ? [mul(parts.length === 1 ? parts[0]! : concat(parts, 0), objective)] : [];
    const all = b === flat.buckets - 1 ? [...scaled, ...extras] : scaled;
    return all.length === 1 ? all[0]! : concat(all, 0);
  });
}
