import { argError, describe } from "../errors.js";
import { addon } from "../native/binding.js";
import type { ResolvedOptimizer } from "./SparseOptimizer.js";

/** The rows of one shard an update works on, all plain typed arrays. */
export interface SparseUpdateArgs {
  weights: Float32Array;
  dim: number;
  /** Unique local row of each gradient row. */
  index: Int32Array;
  /** Summed gradient of each unique row, [index.length, dim]. */
  grads: Float32Array;
  /** State arrays by slot name (see stateSlots). */
  state: Record<string, Float32Array>;
  /** The table's update count including this one (>= 1); Adam's bias correction uses it. */
  step: number;
}

function f32(op: string, name: string, a: unknown, length: number): Float32Array {
  if (!(a instanceof Float32Array)) throw argError(op, "a Float32Array", name, describe(a));
  if (a.length !== length) throw argError(op, `length ${length}`, name, String(a.length));
  return a;
}

/**
 * Applies one fused optimizer step in place to the rows `index` of a shard. Every argument
 * is checked here, so the native kernel only ever sees consistent arrays.
 */
export function sparseUpdate(opt: ResolvedOptimizer, a: SparseUpdateArgs): void {
  const op = `sparseUpdate(${opt.kind})`;
  if (!Number.isSafeInteger(a.dim) || a.dim < 1) throw argError(op, "a positive integer", "dim", describe(a.dim));
  if (!(a.weights instanceof Float32Array) || a.weights.length % a.dim !== 0) {
    throw argError(op, `a Float32Array of whole rows of ${a.dim}`, "weights", describe(a.weights));
  }
  const rows = a.weights.length / a.dim;
  if (!(a.index instanceof Int32Array)) throw argError(op, "an Int32Array", "index", describe(a.index));
  f32(op, "grads", a.grads, a.index.length * a.dim);
  if (!Number.isSafeInteger(a.step) || a.step < 1) throw argError(op, "an integer >= 1", "step", describe(a.step));
  let bad: number;
  switch (opt.kind) {
    case "sgd":
      bad = addon.sparseSgd(a.weights, a.dim, a.index, a.grads, opt.lr);
      break;
    case "adagrad": {
      const sum = f32(op, "state.sum", a.state.sum, opt.rowWise ? rows : rows * a.dim);
      bad = addon.sparseAdagrad(a.weights, a.dim, a.index, a.grads, sum, opt.rowWise, opt.lr, opt.eps);
      break;
    }
    case "adam": {
      const m = f32(op, "state.m", a.state.m, rows * a.dim);
      const v = f32(op, "state.v", a.state.v, rows * a.dim);
      bad = addon.sparseAdam(a.weights, a.dim, a.index, a.grads, m, v, opt.lr, opt.beta1, opt.beta2, opt.eps, a.step);
      break;
    }
  }
  if (bad >= 0) throw argError(op, `rows in [0, ${rows})`, "index", `${a.index[bad]} at position ${bad}`);
}
