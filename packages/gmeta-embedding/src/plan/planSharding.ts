import { argError, describe } from "../errors.js";
import type { SparseOptimizerConfig } from "../optim/SparseOptimizer.js";
import { resolveOptimizer, stateSlots } from "../optim/SparseOptimizer.js";
import type { TableConfig } from "../TableConfig.js";
import { resolveTables } from "../TableConfig.js";
import { rowWiseBlock, rowWiseBytes, rowWiseShards } from "./rowWise.js";
import { placeTableWise, tableWiseShards } from "./tableWise.js";
import type { PlanConstraint, ShardingPlan, ShardingStrategy, TablePlan } from "./types.js";

/** Inputs of the planner: sizes only, no processes. */
export interface PlanOptions {
  tables: readonly TableConfig[];
  worldSize: number;
  /** Bytes each rank may hold (weights + optimizer state); default unlimited. */
  memoryPerRank?: number;
  /** Manual overrides by table name. */
  constraints?: Readonly<Record<string, PlanConstraint>>;
  /** The optimizer whose state the byte counts include; default SGD (no state). */
  optimizer?: SparseOptimizerConfig;
}

const OP = "planSharding";

/** Bytes of one row: float32 weights plus the optimizer's row-wise state. */
export function bytesPerRow(dim: number, optimizer?: SparseOptimizerConfig): number {
  const opt = resolveOptimizer(OP, optimizer ?? { kind: "sgd", lr: 0 });
  return 4 * (dim + stateSlots(opt, dim).reduce((a, s) => a + s.width, 0));
}

function fmtBytes(n: number): string {
  return `${n.toLocaleString("en-US")} bytes`;
}

function checkConstraints(constraints: PlanOptions["constraints"], names: Set<string>, worldSize: number): void {
  for (const [name, c] of Object.entries(constraints ?? {})) {
    if (!names.has(name)) throw argError(OP, "constraints on known tables", "constraints", `"${name}", which is not a table`);
    if (c.strategy !== undefined && c.strategy !== "table-wise" && c.strategy !== "row-wise") {
      throw argError(OP, '"table-wise" or "row-wise"', `constraints["${name}"].strategy`, describe(c.strategy));
    }
    if (c.rank !== undefined) {
      if (!Number.isSafeInteger(c.rank) || c.rank < 0 || c.rank >= worldSize) {
        throw argError(OP, `a rank in [0, ${worldSize})`, `constraints["${name}"].rank`, describe(c.rank));
      }
      if (c.strategy === "row-wise") throw argError(OP, "no rank pin on a row-wise table", `constraints["${name}"]`, "both rank and row-wise");
    }
  }
}

/**
 * Places every table on ranks: table-wise (balanced by bytes) unless a table is larger than
 * a fair share of all bytes (total / worldSize), then row-wise; constraints override both.
 * Pure: a function of sizes and world size. Throws naming the table, its bytes and the
 * budget when a table cannot fit.
 * @example planSharding({ tables, worldSize: 4, constraints: { user: { rank: 0 } } })
 */
export function planSharding(opts: PlanOptions): ShardingPlan {
  const { worldSize } = opts;
  if (!Number.isSafeInteger(worldSize) || worldSize < 1) throw argError(OP, "a positive integer", "worldSize", describe(worldSize));
  const budget = opts.memoryPerRank ?? Infinity;
  if (!(typeof budget === "number" && budget > 0)) throw argError(OP, "a positive number of bytes", "memoryPerRank", describe(opts.memoryPerRank));
  const tables = resolveTables(OP, opts.tables);
  checkConstraints(opts.constraints, new Set(tables.map((t) => t.name)), worldSize);
  const sized = tables.map((t) => ({ t, perRow: bytesPerRow(t.dim, opts.optimizer), bytes: t.rows * bytesPerRow(t.dim, opts.optimizer) }));
  const total = sized.reduce((a, s) => a + s.bytes, 0);
  const strategyOf = (name: string, bytes: number): ShardingStrategy => {
    const c = opts.constraints?.[name];
    if (c?.strategy) return c.strategy;
    if (c?.rank !== undefined) return "table-wise";
    return worldSize > 1 && bytes > total / worldSize ? "row-wise" : "table-wise";
  };
  const loads = new Array<number>(worldSize).fill(0);
  const placed = new Map<string, TablePlan>();
  const budgetText = Number.isFinite(budget) ? `${fmtBytes(budget)} per rank` : "unlimited";
  // Row-wise tables load every rank alike, so they go first; pinned tables next; then the
  // rest largest first, the classic greedy for balanced bins.
  const order = [...sized].sort((a, b) => {
    const rank = (s: (typeof sized)[number]): number =>
      strategyOf(s.t.name, s.bytes) === "row-wise" ? 0 : opts.constraints?.[s.t.name]?.rank !== undefined ? 1 : 2;
    return rank(a) - rank(b) || b.bytes - a.bytes || a.t.name.localeCompare(b.t.name);
  });
  for (const { t, perRow, bytes } of order) {
    let strategy = strategyOf(t.name, bytes);
    const c = opts.constraints?.[t.name];
    // A table the heuristic chose table-wise still goes row-wise when no rank has room.
    if (strategy === "table-wise" && !c?.strategy && c?.rank === undefined && placeTableWise(bytes, loads, budget) === undefined && worldSize > 1) {
      strategy = "row-wise";
    }
    if (strategy === "row-wise") {
      const share = rowWiseBytes(t.rows, worldSize, perRow);
      const over = share.findIndex((b, r) => loads[r]! + b > budget);
      if (over >= 0) {
        throw new Error(
          `${OP}: table "${t.name}" (${fmtBytes(bytes)}, row-wise ${fmtBytes(share[over]!)} on rank ${over}) does not fit: budget ${budgetText}, rank ${over} already holds ${fmtBytes(loads[over]!)}`,
        );
      }
      share.forEach((b, r) => (loads[r]! += b));
      placed.set(t.name, { table: t.name, strategy, rows: t.rows, dim: t.dim, blockRows: rowWiseBlock(t.rows, worldSize), shards: rowWiseShards(t.rows, worldSize), bytes });
    } else {
      const pin = opts.constraints?.[t.name]?.rank;
      const rank = placeTableWise(bytes, loads, budget, pin);
      if (rank === undefined) {
        const where = pin === undefined ? `the least-loaded rank holds ${fmtBytes(Math.min(...loads))}` : `pinned rank ${pin} holds ${fmtBytes(loads[pin]!)}`;
        const hint = pin === undefined && opts.constraints?.[t.name]?.strategy !== "table-wise" ? "" : "; row-wise sharding may fit";
        throw new Error(`${OP}: table "${t.name}" (${fmtBytes(bytes)}, table-wise) does not fit: budget ${budgetText}, ${where}${hint}`);
      }
      loads[rank]! += bytes;
      placed.set(t.name, { table: t.name, strategy, rows: t.rows, dim: t.dim, blockRows: t.rows, shards: tableWiseShards(t.rows, rank), bytes });
    }
  }
  return { worldSize, tables: tables.map((t) => placed.get(t.name)!), bytesPerRank: loads };
}
