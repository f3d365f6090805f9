import { record } from "../autograd/record.js";
import { argError } from "../errors.js";
import { BinaryOp, ReduceOp } from "../native/AddonTypes.js";
import { addon } from "../native/binding.js";
import { normAxis, numelOf, sameShape } from "../shape.js";
import type { Shape } from "../shape.js";
import { Tensor } from "../Tensor.js";
import { binaryRaw, div, mul } from "./binary.js";
import { checkFloat, checkTensor } from "./check.js";
import { clone, expand, reshape } from "./shapeOps.js";

/** Axes to reduce: one, several, or all when omitted. */
export type Axes = number | readonly number[] | undefined;

function resolveAxes(op: string, x: Tensor, axes: Axes): number[] {
  if (axes === undefined) return x.shape.map((_, i) => i);
  const list = typeof axes === "number" ? [axes] : [...axes];
  const norm = list.map((a) => normAxis(op, a, x.rank));
  if (new Set(norm).size !== norm.length) throw argError(op, "distinct axes", "axis", JSON.stringify(list));
  return norm.sort((a, b) => a - b);
}

function keptShape(shape: Shape, axes: readonly number[]): number[] {
  return shape.map((s, i) => (axes.includes(i) ? 1 : s));
}

/** One native reduction over contiguous runs of axes, without autograd. */
function reduceRaw(op: ReduceOp, name: string, x: Tensor, axes: readonly number[]): Tensor {
  // Reduce one axis at a time from the last, so each is the middle of [outer, axis, inner].
  if (axes.length === 0) return clone(x);
  let cur = x;
  let shape = x.shape.slice();
  for (let k = axes.length - 1; k >= 0; k--) {
    const ax = axes[k]!;
    const outer = numelOf(shape.slice(0, ax));
    const inner = numelOf(shape.slice(ax + 1));
    const len = shape[ax]!;
    if ((op === ReduceOp.Max || op === ReduceOp.Min) && len === 0) {
      throw argError(name, "a non-empty axis", "x", `axis ${ax} of length 0`);
    }
    shape = shape.map((s, i) => (i === ax ? 1 : s));
    const out = Tensor.alloc(shape, x.dtype, x.device);
    if (out.numel > 0) addon.reduce(op, out.storage.native, cur.storage.native, outer, len, inner);
    if (cur !== x) cur.dispose();
    cur = out;
  }
  return cur;
}

function finish(out: Tensor, x: Tensor, axes: readonly number[], keepdim: boolean): Tensor {
  if (keepdim) return out;
  const shape = x.shape.filter((_, i) => !axes.includes(i));
  const r = new Tensor(out.storage.retain(), shape, out.dtype, out.device);
  out.dispose();
  return r;
}

/** Sum over `axis` (all axes when omitted). */
export function sum(x: Tensor, axis?: Axes, keepdim = false): Tensor {
  checkTensor("sum", "x", x);
  const axes = resolveAxes("sum", x, axis);
  const out = finish(reduceRaw(ReduceOp.Sum, "sum", x, axes), x, axes, keepdim);
  return record(out, "sum", [x], (g) => [expand(reshape(g, keptShape(x.shape, axes)), x.shape.slice())]);
}

/** Mean over `axis` (all axes when omitted). */
export function mean(x: Tensor, axis?: Axes, keepdim = false): Tensor {
  checkTensor("mean", "x", x);
  checkFloat("mean", "x", x);
  const axes = resolveAxes("mean", x, axis);
  const n = axes.reduce((acc, a) => acc * x.shape[a]!, 1);
  const out = finish(reduceRaw(ReduceOp.Mean, "mean", x, axes), x, axes, keepdim);
  return record(out, "mean", [x], (g) => [div(expand(reshape(g, keptShape(x.shape, axes)), x.shape.slice()), n)]);
}

function extremum(op: ReduceOp.Max | ReduceOp.Min, name: string, x: Tensor, axis: Axes, keepdim: boolean): Tensor {
  checkTensor(name, "x", x);
  const axes = resolveAxes(name, x, axis);
  const kept = reduceRaw(op, name, x, axes);
  const out = finish(kept, x, axes, keepdim);
  return record(out, name, [x], (g) => {
    // Ties share the gradient equally, as in torch.amax.
    const full = expand(reshape(out, keptShape(x.shape, axes)), x.shape.slice());
    const mask = binaryRaw(BinaryOp.Eq, name, x, full);
    const count = sum(mask, axes, true);
    return [mul(expand(reshape(g, keptShape(x.shape, axes)), x.shape.slice()), div(mask, count))];
  });
}

/** Maximum over `axis` (all axes when omitted). */
export function max(x: Tensor, axis?: Axes, keepdim = false): Tensor {
  return extremum(ReduceOp.Max, "max", x, axis, keepdim);
}

/** Minimum over `axis` (all axes when omitted). */
export function min(x: Tensor, axis?: Axes, keepdim = false): Tensor {
  return extremum(ReduceOp.Min, "min", x, axis, keepdim);
}

/** Sums a broadcast gradient back to `shape` (the reverse of broadcasting). */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const s = axes.length ? sum(g, axes, true) : g;
  return reshape(s, shape.slice());
}
