import { isFloat } from "../dtype.js";
import { argError, fmtShape } from "../errors.js";
import { zerosLike } from "../ops/creation.js";
import { untracked } from "../memory.js";
import { sameShape } from "../shape.js";
import type { Tensor } from "../Tensor.js";

/** Saved optimizer state: step count and per-parameter buffers as plain arrays. */
export interface OptimizerState {
  kind: string;
  step: number;
  buffers: Record<string, (number[] | null)[]>;
}

/**
 * A dense optimizer over an explicit list of parameters, updated in place with the
 * gradients the caller computed (`grad(...)`), in native fused kernels.
 */
export abstract class Optimizer {
  protected stepCount = 0;
  readonly params: readonly Tensor[];

  constructor(
    readonly kind: string,
    params: readonly Tensor[],
  ) {
    if (!Array.isArray(params) || params.length === 0) throw argError(kind, "a non-empty array of tensors", "params", String(params));
    params.forEach((p, i) => {
      p.assertLive(kind);
      if (!isFloat(p.dtype)) throw argError(kind, "float tensors", `params[${i}]`, p.dtype);
    });
    this.params = params.slice();
  }

  get steps(): number {
    return this.stepCount;
  }

  protected checkGrads(grads: readonly Tensor[]): void {
    if (grads.length !== this.params.length) {
      throw argError(`${this.kind}.step`, `${this.params.length} gradients (one per parameter)`, "grads", `${grads.length}`);
    }
    grads.forEach((g, i) => {
      g.assertLive(`${this.kind}.step`);
      const p = this.params[i]!;
      if (!sameShape(g.shape, p.shape) || g.dtype !== p.dtype || g.device !== p.device) {
        throw argError(`${this.kind}.step`, `${p.dtype} ${fmtShape(p.shape)} on ${p.device} (like params[${i}])`, `grads[${i}]`,
          `${g.dtype} ${fmtShape(g.shape)} on ${g.device}`);
      }
    });
  }

  /** A zero buffer shaped like params[i] that no tidy scope owns. */
  protected buffer(i: number): Tensor {
    return untracked(() => zerosLike(this.params[i]!));
  }

  /** Applies one update to every parameter. */
  abstract step(grads: readonly Tensor[]): void;

  abstract state(): OptimizerState;
  abstract loadState(s: OptimizerState): void;

  /** Frees the optimizer's buffers. */
  abstract dispose(): void;
}

export function bufferToArray(t: Tensor | null): number[] | null {
  return t ? Array.from(t.toArray() as Float32Array) : null;
}

export function fillBuffer(t: Tensor, values: number[], what: string): void {
  if (values.length !== t.numel) throw argError("loadState", `${t.numel} values`, what, `${values.length}`);
  if (t.device === "cpu") {
    (t.hostView() as Float32Array).set(values);
  } else {
    t.storage.native.write(t.dtype === "float64" ? Float64Array.from(values) : Float32Array.from(values), 0);
  }
}
