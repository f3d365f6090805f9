/**
 * Ids to rows and the lookup's dedup, with no tensor: the one place a table's ids become its
 * unique rows and inverse index. A lookup session runs it on the ids it is given; batch
 * preparation runs the same function ahead of time (in a loader's worker threads, say) and
 * hands the session its result. Importable as `@gmeta/embedding/rows` without loading
 * @gmeta/tensor's addon.
 */
import { argError, describe } from "./errors.js";
import { addon } from "./native/binding.js";

/** What a table's ids are mapped by: its row count and whether ids are hashed into it. */
export interface RowSpace {
  readonly name: string;
  readonly rows: number;
  readonly hash: boolean;
}

/** A table's ids deduplicated: unique rows in first-seen order and, per id, its position among them. */
export interface DedupedRows {
  /** Unique global rows, first-occurrence order (the rows of E_U). */
  unique: Int32Array;
  /** Position in `unique` of each id given. */
  inverse: Int32Array;
}

/**
 * Row of each id: the id itself for fixed vocabularies (an id outside [0, rows) is an error
 * naming table and id), `hashId(id, rows)` for hashed tables.
 */
export function rowsOfIds(op: string, t: RowSpace, ids: BigInt64Array): Int32Array {
  const out = new Int32Array(ids.length);
  const bad = addon.mapIds(ids, t.rows, t.hash, out);
  if (bad >= 0) {
    throw new Error(`${op}: id ${ids[bad]} at position ${bad} is outside table "${t.name}" (rows [0, ${t.rows}); set hash: true to hash ids into rows)`);
  }
  return out;
}

/** Unique rows (first-occurrence order) and the inverse of `rows`; without `dedup`, the rows as they are. */
export function uniqueRows(rows: Int32Array, dedup: boolean): DedupedRows {
  const n = rows.length;
  if (!dedup) return { unique: rows, inverse: Int32Array.from({ length: n }, (_, i) => i) };
  const u = new Int32Array(n);
  const inverse = new Int32Array(n);
  return { unique: u.subarray(0, addon.uniqueInverse(rows, u, inverse)), inverse };
}

/**
 * A table's ids as the lookup session deduplicates them (`dedup` is the collection's
 * setting): give the result to `lookup` in place of the ids and it skips its own dedup.
 * @example const d = dedupRows({ name: "item", rows: 1000, hash: false }, ids); await coll.lookup({ item: d });
 */
export function dedupRows(table: RowSpace, ids: BigInt64Array, dedup = true): DedupedRows {
  const op = "dedupRows";
  if (!(ids instanceof BigInt64Array)) throw argError(op, "a BigInt64Array", `ids of table "${table.name}"`, describe(ids));
  return uniqueRows(rowsOfIds(op, table, ids), dedup);
}

/**
 * Checks a deduplicated input before any exchange: rows inside the table, every inverse entry
 * a position of `unique`, the rows distinct (with dedup; else one row per id, in order), so
 * gradients summed by row stay right.
 */
export function checkDeduped(op: string, t: RowSpace, d: DedupedRows, dedup: boolean): DedupedRows {
  const what = `deduplicated ids of table "${t.name}"`;
  if (!(d.unique instanceof Int32Array)) throw argError(op, "an Int32Array of unique rows", `${what} (unique)`, describe(d.unique));
  if (!(d.inverse instanceof Int32Array)) throw argError(op, "an Int32Array", `${what} (inverse)`, describe(d.inverse));
  // One native pass when the input is sound (every step's case); the loops below name the fault.
  if (addon.dedupedValid(d.unique, d.inverse, t.rows, dedup)) return d;
  const U = d.unique.length;
  for (let k = 0; k < U; k++) {
    const r = d.unique[k]!;
    if (!(r >= 0 && r < t.rows)) throw argError(op, `rows in [0, ${t.rows})`, `${what} (unique[${k}])`, String(r));
  }
  const inv = d.inverse;
  for (let i = 0; i < inv.length; i++) {
    const p = inv[i]!;
    if (!(p >= 0 && p < U)) throw argError(op, `positions in [0, ${U}) (the unique rows)`, `${what} (inverse[${i}])`, String(p));
  }
  if (dedup) {
    const scratch = new Int32Array(U);
    const distinct = addon.uniqueInverse(d.unique, scratch, new Int32Array(U));
    if (distinct !== U) throw argError(op, "distinct unique rows", `${what} (unique)`, `${U - distinct} repeated`);
  } else {
    // A collection without dedup sends every id's row: the input must be the ids' rows as they are.
    if (inv.length !== U) throw argError(op, `${inv.length} rows, one per id (the collection does not dedup)`, `${what} (unique)`, `${U} rows`);
    for (let i = 0; i < U; i++) if (inv[i] !== i) throw argError(op, "the identity (the collection does not dedup)", `${what} (inverse[${i}])`, String(inv[i]));
  }
  return d;
}
