import type { DedupedRows } from "./rowIndex.js";
import type { TablePlan } from "./plan/types.js";

/** How one table's ids of one lookup travel: dedup, then unique rows grouped by owner rank. */
export interface TableRoute {
  /** Ids given. */
  n: number;
  /** Unique global rows, first-occurrence order (the rows of E_U). */
  unique: Int32Array;
  /** Position in `unique` of each id. */
  inverse: Int32Array;
  /** Positions in `unique`, grouped by owner rank: owner d's are sendOrder[destStart[d]..destStart[d+1]). */
  sendOrder: Int32Array;
  destStart: Int32Array;
  /** Ids (before dedup) owned by other ranks, for the counters. */
  remoteWithoutDedup: number;
}

/** Owner rank of each shard block of a table. */
function blockOwners(tp: TablePlan): Int32Array {
  return Int32Array.from(tp.shards, (s) => s.rank);
}

/**
 * Groups a table's deduplicated rows (`rowIndex.ts`) by the rank that owns them: a counting
 * sort, so each owner receives rows in first-occurrence order.
 */
export function routeRows(d: DedupedRows, tp: TablePlan, worldSize: number, rank: number): TableRoute {
  const { unique, inverse } = d;
  const n = inverse.length;
  const owners = blockOwners(tp);
  if (owners.every((o) => o === owners[0])) return oneOwner(d, owners[0]!, worldSize, rank);
  const block = tp.blockRows;
  const destOf = new Int32Array(unique.length);
  const destStart = new Int32Array(worldSize + 1);
  for (let i = 0; i < unique.length; i++) {
    const d = owners[Math.floor(unique[i]! / block)]!;
    destOf[i] = d;
    destStart[d + 1]! += 1;
  }
  for (let d = 0; d < worldSize; d++) destStart[d + 1]! += destStart[d]!;
  const fill = destStart.slice(0, worldSize);
  const sendOrder = new Int32Array(unique.length);
  for (let i = 0; i < unique.length; i++) sendOrder[fill[destOf[i]!]!++] = i;
  let remoteWithoutDedup = 0;
  for (let i = 0; i < n; i++) if (destOf[inverse[i]!] !== rank) remoteWithoutDedup++;
  return { n, unique, inverse, sendOrder, destStart, remoteWithoutDedup };
}

/** A table one rank holds whole (any table in a world of one): every row goes to `owner`, in order. */
function oneOwner(d: DedupedRows, owner: number, worldSize: number, rank: number): TableRoute {
  const U = d.unique.length;
  const destStart = new Int32Array(worldSize + 1);
  for (let r = owner + 1; r <= worldSize; r++) destStart[r] = U;
  const sendOrder = new Int32Array(U);
  for (let i = 0; i < U; i++) sendOrder[i] = i;
  return { n: d.inverse.length, unique: d.unique, inverse: d.inverse, sendOrder, destStart, remoteWithoutDedup: owner === rank ? 0 : d.inverse.length };
}
