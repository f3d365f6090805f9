import type { CompiledFunction, Tensor } from "@gmeta/tensor";
import { compile, detach } from "@gmeta/tensor";
import { bucketSize, unflattenStep } from "./StepInputs.js";
import type { PreparedBatch } from "../data/PreparedBatch.js";
import type { MetaLearner, Predictions } from "./MetaLearner.js";
import { unpad } from "./MetaLearner.js";

/**
 * Query scores after adaptation (evaluation and prediction), captured once per shape bucket
 * and replayed like the training step; eager when compiling is off.
 */
export class CompiledPredict {
  private readonly fn: CompiledFunction<Tensor>;
  private readonly buckets: boolean;
  private adapt = true;

  constructor(
    readonly learner: MetaLearner,
    options: { compile?: boolean } = {},
  ) {
    const layout = learner.layout();
    this.buckets = options.compile ?? true;
    this.fn = compile(
      (xs: Tensor[]) => learner.queryScores(unflattenStep(xs.slice(layout.tables), layout), xs.slice(0, layout.tables), this.adapt),
      { name: "predict", enabled: this.buckets, maxPrograms: 32 },
    );
  }

  /** Scores of `pb`'s query samples with E_U `rows` (not modified). */
  run(pb: PreparedBatch, rows: Tensor[], adapt: boolean): Predictions {
    const host = this.learner.inputs(pb, this.buckets);
    const own = this.learner.leavesOnDevice(rows.map((r) => detach(r).setRequiresGrad(true)));
    const leaves = own.map((r) => (this.buckets ? { tensor: r, rows: bucketSize(r.shape[0]!) } : r));
    this.adapt = adapt;
    try {
      const scores = this.fn.run([...leaves, ...host], adapt ? "adapted" : "as-is");
      // The query block's dense [T, W, D] follows the support block's six inputs.
      const queryDense = host[6]!;
      return unpad(scores.toArray() as Float32Array, pb.query, queryDense.shape[1]!);
    } finally {
      for (const l of own) l.dispose();
    }
  }

  dispose(): void {
    this.fn.dispose();
  }
}
