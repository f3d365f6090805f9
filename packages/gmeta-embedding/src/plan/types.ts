/** How one table is split over ranks. */
export type ShardingStrategy = "table-wise" | "row-wise";

/** Rows [rowStart, rowStart + rowCount) of a table, held by `rank`. */
export interface ShardSpec {
  rank: number;
  rowStart: number;
  rowCount: number;
}

/** Where one table lives: its shards in row order, covering [0, rows) with blocks of `blockRows`. */
export interface TablePlan {
  table: string;
  strategy: ShardingStrategy;
  rows: number;
  dim: number;
  /** Rows per shard block (the last may be shorter); row r is in shards[floor(r / blockRows)]. */
  blockRows: number;
  shards: ShardSpec[];
  /** Weights plus optimizer state, in bytes. */
  bytes: number;
}

/** The placement of every table over `worldSize` ranks; a plain JSON value. */
export interface ShardingPlan {
  worldSize: number;
  tables: TablePlan[];
  /** Bytes each rank holds under this plan. */
  bytesPerRank: number[];
}

/** A manual override for one table. */
export interface PlanConstraint {
  /** Put the whole table on this rank (implies table-wise). */
  rank?: number;
  /** Use this strategy whatever the heuristic says. */
  strategy?: ShardingStrategy;
}
