import { isFloat } from "../dtype.js";
import { argError, fmtShape } from "../errors.js";
import { assign, zerosLike } from "../ops/creation.js";
import { untracked } from "../memory.js";
import { sameShape } from "../shape.js";
import type { NativeStorage } from "../native/AddonTypes.js";
import type { Tensor } from "../Tensor.js";

/**
 * Gradients laid out in flat buffers, as an AllReduce reduces them: parameter k's gradient is
 * the `length` elements at `offset` of `buffers[bucket]` (row-major, the parameter's shape).
 */
export interface FlatGradients {
  buffers: readonly Tensor[];
  places: readonly { bucket: number; offset: number; length: number }[];
}

export interface StepOptions {
  /** Every gradient element is multiplied by this first (1 / the global batch weight, say); default 1. */
  scale?: number;
}

/** Where one parameter's gradient is read from. */
export interface GradSource {
  storage: NativeStorage;
  offset: number;
}

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

  /**
   * Checks the gradients against the parameters (count, shape or length, dtype, device) and
   * returns where each is read, with the scale every element is multiplied by.
   */
  protected gradSources(grads: readonly Tensor[] | FlatGradients, options: StepOptions = {}): { sources: GradSource[]; scale: number } {
    const op = `${this.kind}.step`;
    const scale = options.scale ?? 1;
    if (typeof scale !== "number" || !Number.isFinite(scale)) throw argError(op, "a finite number", "options.scale", String(scale));
    if (Array.isArray(grads)) {
      this.checkGrads(grads as readonly Tensor[]);
      return { sources: (grads as readonly Tensor[]).map((g) => ({ storage: g.storage.native, offset: 0 })), scale };
    }
    const flat = grads as FlatGradients;
    if (!flat || !Array.isArray(flat.buffers) || !Array.isArray(flat.places)) throw argError(op, "an array of tensors or { buffers, places }", "grads", String(grads));
    if (flat.places.length !== this.params.length) {
      throw argError(op, `${this.params.length} places (one per parameter)`, "grads.places", `${flat.places.length}`);
    }
    const sources = flat.places.map((pl, i) => {
      const p = this.params[i]!;
      const buf = flat.buffers[pl.bucket];
      if (!buf) throw argError(op, `a bucket index below ${flat.buffers.length}`, `grads.places[${i}].bucket`, String(pl.bucket));
      buf.assertLive(op);
      if (buf.dtype !== p.dtype || buf.device !== p.device) {
        throw argError(op, `a ${p.dtype} buffer on ${p.device} (like params[${i}])`, `grads.buffers[${pl.bucket}]`, `${buf.dtype} on ${buf.device}`);
      }
      if (pl.length !== p.numel || !Number.isInteger(pl.offset) || pl.offset < 0 || pl.offset + pl.length > buf.numel) {
        throw argError(op, `${p.numel} elements inside buffer ${pl.bucket} of ${buf.numel}`, `grads.places[${i}]`, `offset ${pl.offset}, length ${pl.length}`);
      }
      return { storage: buf.storage.native, offset: pl.offset };
    });
    return { sources, scale };
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

  /** Applies one update to every parameter, from a gradient per parameter or flat buffers. */
  abstract step(grads: readonly Tensor[] | FlatGradients, options?: StepOptions): void;

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
  assign(t, values);
}
