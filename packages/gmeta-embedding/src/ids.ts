import { Tensor } from "@gmeta/tensor";

import { argError, describe } from "./errors.js";
import { addon } from "./native/binding.js";
import type { ResolvedTable } from "./TableConfig.js";

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

/**
 * Row of each id: the id itself for fixed vocabularies (an id outside [0, rows) is an error
 * naming table and id), `hashId(id, rows)` for hashed tables.
 */
export function rowsOfIds(op: string, t: ResolvedTable, ids: BigInt64Array): Int32Array {
  const out = new Int32Array(ids.length);
  const bad = addon.mapIds(ids, t.rows, t.hash, out);
  if (bad >= 0) {
    throw new Error(`${op}: id ${ids[bad]} at position ${bad} is outside table "${t.name}" (rows [0, ${t.rows}); set hash: true to hash ids into rows)`);
  }
  return out;
}
