import type { ShardSpec } from "./types.js";

/** Rows per rank for row-wise sharding: contiguous blocks of ceil(rows / worldSize). */
export function rowWiseBlock(rows: number, worldSize: number): number {
  return Math.ceil(rows / worldSize);
}

/**
 * Row-wise: rank r holds rows [r·block, (r+1)·block). Contiguous blocks keep a shard's
 * initial values one draw of the table's random stream; hot low ids concentrate on rank 0,
 * which hashed tables (`hash: true`) avoid.
 */
export function rowWiseShards(rows: number, worldSize: number): ShardSpec[] {
  const block = rowWiseBlock(rows, worldSize);
  return Array.from({ length: worldSize }, (_, rank) => {
    const rowStart = Math.min(rows, rank * block);
    return { rank, rowStart, rowCount: Math.min(rows, rowStart + block) - rowStart };
  });
}

/** Bytes each rank holds of a row-wise table of `bytesPerRow`. */
export function rowWiseBytes(rows: number, worldSize: number, bytesPerRow: number): number[] {
  return rowWiseShards(rows, worldSize).map((s) => s.rowCount * bytesPerRow);
}
