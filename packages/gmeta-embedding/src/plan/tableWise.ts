import type { ShardSpec } from "./types.js";

/**
 * Table-wise: the whole table on one rank. Without a pin it picks the least-loaded rank
 * (lowest index on ties) that still has room, so tables placed largest first balance bytes.
 * Returns undefined when no allowed rank has room.
 */
export function placeTableWise(bytes: number, loads: readonly number[], budget: number, pin?: number): number | undefined {
  const candidates = pin === undefined ? loads.map((_, r) => r) : [pin];
  let best: number | undefined;
  for (const r of candidates) {
    if (loads[r]! + bytes > budget) continue;
    if (best === undefined || loads[r]! < loads[best]!) best = r;
  }
  return best;
}

/** The single shard of a table-wise table. */
export function tableWiseShards(rows: number, rank: number): ShardSpec[] {
  return [{ rank, rowStart: 0, rowCount: rows }];
}
