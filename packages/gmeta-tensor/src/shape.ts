import { argError, fmtShape } from "./errors.js";

export type Shape = readonly number[];

export function numelOf(shape: Shape): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** Row-major contiguous strides in elements. */
export function contiguousStrides(shape: Shape): number[] {
  const st = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    st[i] = acc;
    acc *= shape[i]!;
  }
  return st;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Validates a shape given by a caller: non-negative safe integers. */
export function checkShape(op: string, name: string, shape: unknown): number[] {
  if (!Array.isArray(shape) || !shape.every((s) => Number.isSafeInteger(s) && s >= 0)) {
    throw argError(op, "an array of non-negative integers", name, JSON.stringify(shape));
  }
  return shape.slice();
}

/** NumPy broadcasting of two shapes. */
export function broadcastShapes(op: string, a: Shape, b: Shape, names = ["a", "b"]): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw argError(op, `a shape broadcastable with ${fmtShape(a)}`, names[1]!, fmtShape(b));
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides that read a contiguous tensor of `shape` as if it had `outShape` (0 on broadcast axes). */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const st = contiguousStrides(shape);
  const off = outShape.length - shape.length;
  return outShape.map((_, i) => {
    const j = i - off;
    if (j < 0) return 0;
    return shape[j] === 1 ? 0 : st[j]!;
  });
}

/** Resolves a possibly negative axis against `rank`. */
export function normAxis(op: string, axis: number, rank: number, name = "axis"): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw argError(op, `an integer axis in [${-rank}, ${rank - 1}]`, name, String(axis));
  }
  return axis < 0 ? axis + rank : axis;
}
