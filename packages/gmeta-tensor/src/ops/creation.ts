import type { AnyTypedArray, DType } from "../dtype.js";
import { dtypeOfTypedArray, isDType } from "../dtype.js";
import type { Device } from "../device.js";
import { parseDevice } from "../device.js";
import { argError, fmtShape } from "../errors.js";
import { addon } from "../native/binding.js";
import { checkShape, numelOf } from "../shape.js";
import { Tensor } from "../Tensor.js";
import { checkTensor } from "./check.js";

export interface TensorOptions {
  dtype?: DType;
  device?: Device | string;
  requiresGrad?: boolean;
}

type Nested = number | bigint | Nested[];

function checkDType(op: string, d: unknown, fallback: DType): DType {
  if (d === undefined) return fallback;
  if (!isDType(d)) throw argError(op, '"float32", "float64", "int32" or "int64"', "dtype", JSON.stringify(d));
  return d;
}

function finish(t: Tensor, opts: TensorOptions): Tensor {
  if (opts.requiresGrad) t.setRequiresGrad(true);
  return t;
}

function inferShape(data: Nested, shape: number[] = []): number[] {
  if (Array.isArray(data)) {
    shape.push(data.length);
    if (data.length > 0) inferShape(data[0]!, shape);
  }
  return shape;
}

function flatten(data: Nested, shape: readonly number[], dim: number, out: (number | bigint)[]): void {
  if (dim === shape.length) {
    if (Array.isArray(data)) throw argError("tensor", "a regular nested array", "data", "ragged nesting");
    out.push(data);
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[dim]) {
    throw argError("tensor", `length ${shape[dim]} at depth ${dim}`, "data", Array.isArray(data) ? `length ${data.length}` : "a number");
  }
  for (const x of data) flatten(x, shape, dim + 1, out);
}

function toTyped(dtype: DType, values: ArrayLike<number | bigint>): AnyTypedArray {
  const n = values.length;
  switch (dtype) {
    case "float32":
      return Float32Array.from({ length: n }, (_, i) => Number(values[i]));
    case "float64":
      return Float64Array.from({ length: n }, (_, i) => Number(values[i]));
    case "int32":
      return Int32Array.from({ length: n }, (_, i) => Number(values[i]));
    case "int64":
      return BigInt64Array.from({ length: n }, (_, i) => {
        const v = values[i]!;
        if (typeof v === "number" && !Number.isInteger(v)) {
          throw argError("tensor", "integers for an int64 tensor", `data[${i}]`, String(v));
        }
        return BigInt(v);
      });
  }
}

/**
 * A tensor from numbers, nested arrays or a typed array (copied).
 * @example tensor([[1, 2], [3, 4]]) // float32 [2, 2]
 */
export function tensor(data: Nested | AnyTypedArray, opts: TensorOptions & { shape?: number[] } = {}): Tensor {
  const fromTyped = dtypeOfTypedArray(data);
  const dtype = checkDType("tensor", opts.dtype, fromTyped ?? "float32");
  const device = parseDevice("tensor", opts.device);
  let flat: ArrayLike<number | bigint>;
  let shape: number[];
  if (fromTyped) {
    flat = data as AnyTypedArray;
    shape = opts.shape ? checkShape("tensor", "shape", opts.shape) : [flat.length];
  } else if (typeof data === "number" || typeof data === "bigint") {
    flat = [data];
    shape = opts.shape ? checkShape("tensor", "shape", opts.shape) : [];
  } else if (Array.isArray(data)) {
    const inferred = inferShape(data);
    const out: (number | bigint)[] = [];
    flatten(data, inferred, 0, out);
    flat = out;
    shape = opts.shape ? checkShape("tensor", "shape", opts.shape) : inferred;
  } else {
    throw argError("tensor", "a number, nested array or typed array", "data", typeof data);
  }
  if (numelOf(shape) !== flat.length) {
    throw argError("tensor", `${flat.length} elements to match the data`, "shape", `${fmtShape(shape)} (${numelOf(shape)} elements)`);
  }
  const typed = fromTyped === dtype ? (flat as AnyTypedArray) : toTyped(dtype, flat);
  const t = Tensor.alloc(shape, dtype, device);
  if (typed.length > 0) t.storage.native.write(typed, 0);
  return finish(t, opts);
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: number[], value: number, opts: TensorOptions = {}): Tensor {
  const s = checkShape("full", "shape", shape);
  const dtype = checkDType("full", opts.dtype, "float32");
  const t = Tensor.alloc(s, dtype, parseDevice("full", opts.device), value === 0);
  if (value !== 0 && t.numel > 0) addon.fill(t.storage.native, value);
  return finish(t, opts);
}

/** A zero-filled tensor. */
export function zeros(shape: number[], opts: TensorOptions = {}): Tensor {
  return full(shape, 0, opts);
}

/** A tensor of ones. */
export function ones(shape: number[], opts: TensorOptions = {}): Tensor {
  return full(shape, 1, opts);
}

/** A new tensor whose contents the caller overwrites (zero-filled, so never garbage). */
export function empty(shape: number[], opts: TensorOptions = {}): Tensor {
  return full(shape, 0, opts);
}

/** Zeros with the shape, dtype and device of `x`. */
export function zerosLike(x: Tensor): Tensor {
  checkTensor("zerosLike", "x", x);
  return Tensor.alloc(x.shape, x.dtype, x.device, true);
}

/** Ones with the shape, dtype and device of `x`. */
export function onesLike(x: Tensor): Tensor {
  return fullLike(x, 1);
}

/** `value` with the shape, dtype and device of `x`. */
export function fullLike(x: Tensor, value: number): Tensor {
  checkTensor("fullLike", "x", x);
  return full(x.shape.slice(), value, { dtype: x.dtype, device: x.device });
}

/** A 0-d tensor holding `value` with the dtype and device of `like`. */
export function scalarLike(value: number, like: Tensor): Tensor {
  return full([], value, { dtype: like.dtype, device: like.device });
}

/** 0, 1, …, n−1 (or start…end by step). */
export function arange(start: number, end?: number, step = 1, opts: TensorOptions = {}): Tensor {
  if (end === undefined) [start, end] = [0, start];
  if (!Number.isFinite(start) || !Number.isFinite(end) || !Number.isFinite(step) || step === 0) {
    throw argError("arange", "finite start, end and a non-zero step", "arguments", `${start}, ${end}, ${step}`);
  }
  const n = Math.max(0, Math.ceil((end - start) / step));
  const dtype = checkDType("arange", opts.dtype, "float32");
  const vals = Array.from({ length: n }, (_, i) => start + i * step);
  return tensor(toTyped(dtype, vals), { ...opts, dtype, shape: [n] });
}

/**
 * Overwrites a tensor's values in place, on any device, outside autograd (loading
 * checkpoints and optimizer state). The length must equal the tensor's element count.
 */
export function assign(t: Tensor, values: ArrayLike<number> | AnyTypedArray): Tensor {
  checkTensor("assign", "t", t);
  if (values === null || typeof values !== "object" || typeof (values as ArrayLike<number>).length !== "number") {
    throw argError("assign", "an array or typed array", "values", String(values));
  }
  if (values.length !== t.numel) throw argError("assign", `${t.numel} values (shape ${fmtShape(t.shape)})`, "values", `${values.length}`);
  const typed = dtypeOfTypedArray(values) === t.dtype ? (values as AnyTypedArray) : toTyped(t.dtype, values as ArrayLike<number>);
  if (t.numel > 0) t.storage.native.write(typed, 0);
  // Its values are its own now, not an expand of its source.
  t.broadcastOf = null;
  return t;
}
