import { Tensor } from "@gmeta/tensor";

import { argError, describe } from "./errors.js";

/** Ids of one table: int64 as a BigInt64Array or an int64 tensor. */
export type IdInput = BigInt64Array | Tensor;

/** The ids as a BigInt64Array (a view for tensors, no copy). */
export function idArray(op: string, table: string, ids: IdInput): BigInt64Array {
  if (ids instanceof BigInt64Array) return ids;
  if (ids instanceof Tensor) {
    if (ids.dtype !== "int64") throw argError(op, "int64 ids", `ids of table "${table}"`, `a ${ids.dtype} tensor`);
    return ids.hostView() as BigInt64Array;
  }
  throw argError(op, "a BigInt64Array or an int64 tensor", `ids of table "${table}"`, describe(ids));
}
