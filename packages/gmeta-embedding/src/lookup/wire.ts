// The lookup request on the wire: per destination rank, one status word (0 ok, 1 the
// sender's input was rejected), one row count per table, then each table's global rows.
import { empty } from "@gmeta/tensor";
import type { Scope, Tensor } from "@gmeta/tensor";

import type { RowShard } from "../RowShard.js";
import type { TableRoute } from "../routing.js";
import type { ResolvedTable } from "../TableConfig.js";
import { concatInt32 } from "../concatRows.js";

/** Words before each request's counts. */
const HEADER = 1;

/** What the owner side remembers of a lookup to take its gradients (or pushes) back. */
export interface OwnerRoute {
  /** recvCounts[src][t]: rows rank src asked of table t. */
  recvCounts: number[][];
  /** Local rows asked of each table, concatenated in source order. */
  localRows: Int32Array[];
}

/** Local rows of table `i` that source `s` asked for (a view into localRows). */
export function rowsFrom(o: OwnerRoute, i: number, s: number): Int32Array {
  let at = 0;
  for (let k = 0; k < s; k++) at += o.recvCounts[k]![i]!;
  return o.localRows[i]!.subarray(at, at + o.recvCounts[s]![i]!);
}

/** The request of this rank to every rank, as one flat int32 tensor of `scope` and its counts. */
export function encodeRequests(scope: Scope, routes: readonly (TableRoute | undefined)[], worldSize: number, failed: boolean): { send: Tensor; counts: number[] } {
  const T = routes.length;
  const counts = Array.from({ length: worldSize }, (_, d) =>
    HEADER + T + routes.reduce((a, r) => a + (r ? r.destStart[d + 1]! - r.destStart[d]! : 0), 0),
  );
  const send = scope.run(() => empty([counts.reduce((a, b) => a + b, 0)], { dtype: "int32" }));
  const req = send.hostView() as Int32Array;
  let at = 0;
  for (let d = 0; d < worldSize; d++) {
    req[at++] = failed ? 1 : 0;
    for (const r of routes) req[at++] = r ? r.destStart[d + 1]! - r.destStart[d]! : 0;
    for (const r of routes) {
      if (!r) continue;
      for (let k = r.destStart[d]!; k < r.destStart[d + 1]!; k++) req[at++] = r.unique[r.sendOrder[k]!]!;
    }
  }
  return { send, counts };
}

/** decodeRequests for a world of one: its own unique rows per table as local rows, checked the same way. */
export function localRequests(
  op: string, routes: readonly (TableRoute | undefined)[], tables: readonly ResolvedTable[], shards: readonly (RowShard | undefined)[], rank: number,
): OwnerRoute {
  const localRows = routes.map((r, i) => {
    if (!r) return new Int32Array(0);
    return checkedLocalRows(op, Int32Array.from(r.unique), shards[i], tables[i]!, rank, rank);
  });
  return { recvCounts: [routes.map((r) => (r ? r.unique.length : 0))], localRows };
}

/** Global rows asked by rank `src` of `table`, made local to this rank's shard in place; throws naming what is wrong. */
function checkedLocalRows(op: string, rows: Int32Array, shard: RowShard | undefined, table: ResolvedTable, src: number, rank: number): Int32Array {
  if (rows.length === 0) return rows;
  if (!shard) throw new Error(`${op}: rank ${src} asked rank ${rank} for rows of table "${table.name}", which it does not own (plans differ between ranks?)`);
  for (let k = 0; k < rows.length; k++) {
    rows[k]! -= shard.rowStart;
    if (rows[k]! < 0 || rows[k]! >= shard.rowCount) {
      throw new Error(`${op}: rank ${src} asked rank ${rank} for row ${rows[k]! + shard.rowStart} of table "${table.name}", outside its rows [${shard.rowStart}, ${shard.rowStart + shard.rowCount}) (plans differ between ranks?)`);
    }
  }
  return rows;
}

/**
 * Every source's request as local rows per table: throws, on every rank alike, when any
 * source flagged its input as rejected, and names a source that asked for rows this rank
 * does not own.
 */
export function decodeRequests(
  op: string, data: Int32Array, counts: readonly number[], tables: readonly ResolvedTable[], shards: readonly (RowShard | undefined)[], rank: number,
): OwnerRoute {
  const W = counts.length;
  const T = tables.length;
  const failed: number[] = [];
  for (let s = 0, at = 0; s < W; at += counts[s]!, s++) if (data[at] !== 0) failed.push(s);
  if (failed.length > 0) throw new Error(`${op}: rank ${failed.join(", ")} rejected its lookup input (see its error); no rows were exchanged`);
  const recvCounts: number[][] = [];
  const asks: Int32Array[][] = tables.map(() => []);
  let p = 0;
  for (let s = 0; s < W; s++) {
    p += HEADER;
    const c = Array.from(data.subarray(p, p + T));
    p += T;
    recvCounts.push(c);
    for (let i = 0; i < T; i++) {
      const rows = checkedLocalRows(op, data.slice(p, p + c[i]!), shards[i], tables[i]!, s, rank);
      p += c[i]!;
      asks[i]!.push(rows);
    }
  }
  return { recvCounts, localRows: asks.map(concatInt32) };
}
