import { isFloat } from "../dtype.js";
import { argError, fmtShape } from "../errors.js";
import { Tensor } from "../Tensor.js";

/** Asserts `x` is a live Tensor; the first check of every op. */
export function checkTensor(op: string, name: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) {
    const got = x === null ? "null" : Array.isArray(x) ? "an array" : typeof x;
    throw argError(op, "a Tensor", name, got);
  }
  x.assertLive(op);
  return x;
}

/** Asserts both tensors share a dtype and a device. */
export function checkSameKind(op: string, a: Tensor, b: Tensor, names: [string, string] = ["a", "b"]): void {
  if (a.device !== b.device) {
    throw argError(op, `a tensor on ${a.device} (like ${names[0]})`, names[1], `one on ${b.device}`);
  }
  if (a.dtype !== b.dtype) {
    throw argError(op, `${a.dtype} (the dtype of ${names[0]})`, names[1], b.dtype);
  }
}

export function checkFloat(op: string, name: string, x: Tensor): void {
  if (!isFloat(x.dtype)) throw argError(op, "a float32 or float64 tensor", name, x.dtype);
}

export function checkIndexDType(op: string, name: string, x: Tensor): void {
  if (x.dtype !== "int32" && x.dtype !== "int64") throw argError(op, "an int32 or int64 tensor", name, x.dtype);
}

export function checkRank(op: string, name: string, x: Tensor, ranks: readonly number[]): void {
  if (!ranks.includes(x.rank)) {
    throw argError(op, `a tensor of rank ${ranks.join(" or ")}`, name, `shape ${fmtShape(x.shape)}`);
  }
}

export function checkFinite(op: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw argError(op, "a finite number", name, String(v));
  return v;
}
