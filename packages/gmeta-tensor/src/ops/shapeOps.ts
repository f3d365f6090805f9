import { record } from "../autograd/record.js";
import type { DType } from "../dtype.js";
import { isDType, isFloat } from "../dtype.js";
import { argError, fmtShape } from "../errors.js";
import { addon } from "../native/binding.js";
import { broadcastShapes, broadcastStrides, contiguousStrides, normAxis, numelOf, sameShape } from "../shape.js";
import { Tensor } from "../Tensor.js";
import { checkSameKind, checkTensor } from "./check.js";
import { sumToShape } from "./reduce.js";

/** The same data with another shape (one entry may be −1); shares memory. */
export function reshape(x: Tensor, shape: number[]): Tensor {
  checkTensor("reshape", "x", x);
  if (!Array.isArray(shape) || !shape.every((s) => Number.isSafeInteger(s) && s >= -1)) {
    throw argError("reshape", "an array of integers >= -1", "shape", JSON.stringify(shape));
  }
  const free = shape.filter((s) => s === -1).length;
  if (free > 1) throw argError("reshape", "at most one -1", "shape", fmtShape(shape));
  let target = shape.slice();
  if (free === 1) {
    const known = numelOf(shape.filter((s) => s !== -1));
    if (known === 0 || x.numel % known !== 0) {
      throw argError("reshape", `a shape with ${x.numel} elements`, "shape", `${fmtShape(shape)} for x of shape ${fmtShape(x.shape)}`);
    }
    target = shape.map((s) => (s === -1 ? x.numel / known : s));
  }
  if (numelOf(target) !== x.numel) {
    throw argError("reshape", `a shape with ${x.numel} elements (x is ${fmtShape(x.shape)})`, "shape", fmtShape(shape));
  }
  const out = new Tensor(x.storage.retain(), target, x.dtype, x.device);
  return record(out, "reshape", [x], (g) => [reshape(g, x.shape.slice())]);
}

/** Inserts an axis of length 1 at `axis`. */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  checkTensor("unsqueeze", "x", x);
  const a = normAxis("unsqueeze", axis, x.rank + 1);
  const s = x.shape.slice();
  s.splice(a, 0, 1);
  return reshape(x, s);
}

/** Removes axes of length 1 (one axis, or all such axes when omitted). */
export function squeeze(x: Tensor, axis?: number): Tensor {
  checkTensor("squeeze", "x", x);
  if (axis === undefined) return reshape(x, x.shape.filter((s) => s !== 1));
  const a = normAxis("squeeze", axis, x.rank);
  if (x.shape[a] !== 1) throw argError("squeeze", "an axis of length 1", "axis", `axis ${axis} of length ${x.shape[a]}`);
  return reshape(x, x.shape.filter((_, i) => i !== a));
}

/** Flattens to one axis. */
export function flatten(x: Tensor): Tensor {
  return reshape(x, [-1]);
}

/** A copy with the same shape, differentiable. */
export function clone(x: Tensor): Tensor {
  checkTensor("clone", "x", x);
  const out = Tensor.alloc(x.shape, x.dtype, x.device);
  if (x.numel > 0) {
    const st = contiguousStrides(x.shape);
    addon.stridedCopy(out.storage.native, 0, st, x.storage.native, 0, st, x.shape.slice());
  }
  return record(out, "clone", [x], (g) => [g]);
}

/** The same data outside autograd: a leaf that does not require grad; shares memory. */
export function detach(x: Tensor): Tensor {
  checkTensor("detach", "x", x);
  return new Tensor(x.storage.retain(), x.shape, x.dtype, x.device);
}

/** Reorders axes: out.shape[i] = x.shape[dims[i]]. */
export function permute(x: Tensor, dims: number[]): Tensor {
  checkTensor("permute", "x", x);
  const d = Array.isArray(dims) ? dims.map((a) => normAxis("permute", a, x.rank, "dims")) : [];
  if (d.length !== x.rank || new Set(d).size !== d.length) {
    throw argError("permute", `a permutation of ${x.rank} axes`, "dims", JSON.stringify(dims));
  }
  const shape = d.map((a) => x.shape[a]!);
  const src = contiguousStrides(x.shape);
  const out = Tensor.alloc(shape, x.dtype, x.device);
  if (out.numel > 0) {
    addon.stridedCopy(out.storage.native, 0, contiguousStrides(shape), x.storage.native, 0, d.map((a) => src[a]!), shape);
  }
  const inverse = new Array<number>(d.length);
  d.forEach((a, i) => (inverse[a] = i));
  return record(out, "permute", [x], (g) => [permute(g, inverse)]);
}

/** Swaps two axes (the last two by default). */
export function transpose(x: Tensor, a = -2, b = -1): Tensor {
  checkTensor("transpose", "x", x);
  if (x.rank < 2) throw argError("transpose", "a tensor of rank >= 2", "x", `shape ${fmtShape(x.shape)}`);
  const i = normAxis("transpose", a, x.rank, "a");
  const j = normAxis("transpose", b, x.rank, "b");
  const dims = x.shape.map((_, k) => k);
  dims[i] = j;
  dims[j] = i;
  return permute(x, dims);
}

/** Broadcasts to `shape` (materialised). */
export function expand(x: Tensor, shape: number[]): Tensor {
  checkTensor("expand", "x", x);
  const target = broadcastShapes("expand", x.shape, shape, ["x", "shape"]);
  if (!sameShape(target, shape)) {
    throw argError("expand", `a shape that ${fmtShape(x.shape)} broadcasts to`, "shape", fmtShape(shape));
  }
  if (sameShape(x.shape, shape)) return x;
  const out = Tensor.alloc(shape, x.dtype, x.device);
  if (out.numel > 0) {
    addon.stridedCopy(out.storage.native, 0, contiguousStrides(shape), x.storage.native, 0, broadcastStrides(x.shape, shape), shape);
  }
  const res = record(out, "expand", [x], (g) => [sumToShape(g, x.shape)]);
  if (x.rank === shape.length && x.shape[0] === 1 && x.shape.every((d, i) => i === 0 || d === shape[i])) res.broadcastOf = x;
  return res;
}

function checkRange(op: string, x: Tensor, axis: number, start: number, end: number): void {
  const n = x.shape[axis]!;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > n || start > end) {
    throw argError(op, `0 <= start <= end <= ${n} on axis ${axis}`, "range", `[${start}, ${end})`);
  }
}

/** Elements [start, end) along `axis` (negative start / end count from the end). */
export function slice(x: Tensor, axis: number, start: number, end?: number): Tensor {
  checkTensor("slice", "x", x);
  const a = normAxis("slice", axis, x.rank);
  const n = x.shape[a]!;
  const s = start < 0 ? start + n : start;
  const e = end === undefined ? n : end < 0 ? end + n : end;
  checkRange("slice", x, a, s, e);
  const shape = x.shape.map((v, i) => (i === a ? e - s : v));
  const st = contiguousStrides(x.shape);
  const out = Tensor.alloc(shape, x.dtype, x.device);
  if (out.numel > 0) {
    addon.stridedCopy(out.storage.native, 0, contiguousStrides(shape), x.storage.native, s * st[a]!, st, shape);
  }
  return record(out, "slice", [x], (g) => [padSlice(g, x.shape.slice(), a, s)]);
}

/** The reverse of slice: zeros of `shape` with g placed at `start` along `axis`. */
function padSlice(g: Tensor, shape: number[], axis: number, start: number): Tensor {
  const out = Tensor.alloc(shape, g.dtype, g.device, true);
  const st = contiguousStrides(shape);
  if (g.numel > 0) {
    addon.stridedCopy(out.storage.native, start * st[axis]!, st, g.storage.native, 0, contiguousStrides(g.shape), g.shape.slice());
  }
  return record(out, "padSlice", [g], (gg) => [slice(gg, axis, start, start + g.shape[axis]!)]);
}

/** Joins tensors along an existing axis. */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(xs) || xs.length === 0) throw argError("concat", "a non-empty array of tensors", "xs", String(xs));
  return concatChecked(xs as readonly Tensor[], axis);
}

function concatChecked(xs: readonly Tensor[], axis: number): Tensor {
  xs.forEach((x, i) => checkTensor("concat", `xs[${i}]`, x));
  const first = xs[0]!;
  const a = normAxis("concat", axis, first.rank);
  xs.forEach((x, i) => {
    checkSameKind("concat", first, x, ["xs[0]", `xs[${i}]`]);
    if (x.rank !== first.rank || x.shape.some((s, k) => k !== a && s !== first.shape[k])) {
      throw argError("concat", `shape ${fmtShape(first.shape.map((s, k) => (k === a ? -1 : s)))} (any length on axis ${a})`, `xs[${i}]`, fmtShape(x.shape));
    }
  });
  const shape = first.shape.slice();
  shape[a] = xs.reduce((acc, x) => acc + x.shape[a]!, 0);
  const out = Tensor.alloc(shape, first.dtype, first.device);
  const st = contiguousStrides(shape);
  const starts: number[] = [];
  let off = 0;
  for (const x of xs) {
    starts.push(off);
    if (x.numel > 0) {
      addon.stridedCopy(out.storage.native, off * st[a]!, st, x.storage.native, 0, contiguousStrides(x.shape), x.shape.slice());
    }
    off += x.shape[a]!;
  }
  return record(out, "concat", [...xs], (g) => xs.map((x, i) => (x.requiresGrad ? slice(g, a, starts[i]!, starts[i]! + x.shape[a]!) : null)));
}

/** Joins tensors of one shape along a new axis. */
export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(xs) || xs.length === 0) throw argError("stack", "a non-empty array of tensors", "xs", String(xs));
  const r = checkTensor("stack", "xs[0]", xs[0]).rank;
  const a = normAxis("stack", axis, r + 1);
  return concat(xs.map((x) => unsqueeze(x, a)), a);
}

/** Converts to another dtype (differentiable between float dtypes). */
export function cast(x: Tensor, dtype: DType): Tensor {
  checkTensor("cast", "x", x);
  if (!isDType(dtype)) throw argError("cast", "a dtype", "dtype", String(dtype));
  if (dtype === x.dtype) return x;
  const out = Tensor.alloc(x.shape, dtype, x.device);
  if (out.numel > 0) addon.cast(out.storage.native, x.storage.native);
  if (!isFloat(dtype) || !isFloat(x.dtype)) return out;
  return record(out, "cast", [x], (g) => [cast(g, x.dtype)]);
}
