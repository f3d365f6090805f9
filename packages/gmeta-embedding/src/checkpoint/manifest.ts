import type { ResolvedOptimizer } from "../optim/SparseOptimizer.js";
import type { ShardingPlan } from "../plan/types.js";
import type { ResolvedTable } from "../TableConfig.js";

export const CHECKPOINT_FORMAT = "gmeta-embedding-checkpoint";
export const CHECKPOINT_VERSION = 1;
export const MANIFEST_FILE = "manifest.json";

/** One shard file: rows [rowStart, rowStart + rowCount) of a table, weights then each state slot. */
export interface ShardFileEntry {
  table: string;
  rank: number;
  rowStart: number;
  rowCount: number;
  file: string;
  bytes: number;
  sha256: string;
}

/** What a checkpoint folder holds, written last so a folder without it is incomplete. */
export interface CheckpointManifest {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  /** Float32 little-endian throughout. */
  byteOrder: "little";
  worldSize: number;
  tables: ResolvedTable[];
  optimizer: ResolvedOptimizer;
  /** Updates applied to each table. */
  steps: Record<string, number>;
  plan: ShardingPlan;
  shards: ShardFileEntry[];
}

/** The file name of a table's shard written by `rank`. */
export function shardFileName(table: string, rank: number): string {
  return `${table}.shard-${rank}.bin`;
}
