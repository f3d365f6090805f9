import { segmentMean, segmentSum, tensor } from "@gmeta/tensor";
import type { Tensor } from "@gmeta/tensor";

import { argError, describe } from "./errors.js";

/** How a multi-hot bag of rows becomes one row. */
export type PoolingMode = "sum" | "mean";

/** Checks bag offsets (B + 1 non-decreasing values from 0 to the id count) and returns them as int64. */
export function checkOffsets(op: string, table: string, offsets: unknown, ids: number): BigInt64Array {
  let o: BigInt64Array;
  if (offsets instanceof BigInt64Array) o = offsets;
  else if (offsets instanceof Int32Array) o = BigInt64Array.from(offsets, (v) => BigInt(v));
  else throw argError(op, "a BigInt64Array or Int32Array", `offsets of table "${table}"`, describe(offsets));
  if (o.length < 1 || o[0] !== 0n || o[o.length - 1] !== BigInt(ids)) {
    throw argError(op, `offsets from 0 to ${ids} (the id count)`, `offsets of table "${table}"`, `${describe(offsets)} from ${o[0]} to ${o[o.length - 1]}`);
  }
  for (let i = 1; i < o.length; i++) {
    if (o[i]! < o[i - 1]!) throw argError(op, "non-decreasing offsets", `offsets of table "${table}"`, `${o[i]} after ${o[i - 1]} at position ${i}`);
  }
  return o;
}

/** Pools rows [n, dim] over bags given by offsets: [B, dim], differentiable. */
export function poolRows(rows: Tensor, offsets: BigInt64Array, mode: PoolingMode): Tensor {
  const off = tensor(offsets, { dtype: "int64", device: rows.device });
  try {
    return mode === "sum" ? segmentSum(rows, off) : segmentMean(rows, off);
  } finally {
    off.dispose();
  }
}
