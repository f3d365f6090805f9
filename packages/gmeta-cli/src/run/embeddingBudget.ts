import { totalmem } from "node:os";
import { planSharding } from "@gmeta/embedding";
import type { ShardingPlan, TableConfig } from "@gmeta/embedding";
import type { TrainConfig } from "../config.js";
import { sparseOptimizer } from "./buildJob.js";

/** Bytes of host memory one of `localRanks` ranks on this machine may hold: three quarters of it, shared. */
export function hostMemoryShare(localRanks: number): number {
  return Math.floor((0.75 * totalmem()) / Math.max(1, localRanks));
}

/**
 * Bytes of embedding rows and optimizer state one rank may hold: the config's
 * embeddingMemoryMiB, or by default its share of this machine's memory over `localRanks`
 * ranks. Rows on a GPU are not bounded by host memory: no default budget there.
 */
export function embeddingBudget(cfg: TrainConfig, localRanks: number): number {
  if (cfg.embeddingMemoryMiB) return cfg.embeddingMemoryMiB * 2 ** 20;
  if (cfg.device !== "cpu") return Infinity;
  return hostMemoryShare(localRanks);
}

/**
 * The sharding plan of the run's tables under the budget: tables larger than a fair share go
 * row-wise across ranks; a plan that does not fit throws (naming the table, its bytes and the
 * budget) before any row is allocated.
 */
export function planTables(cfg: TrainConfig, tables: TableConfig[], worldSize: number, localRanks: number): ShardingPlan {
  try {
    return planSharding({ tables, worldSize, optimizer: sparseOptimizer(cfg), memoryPerRank: embeddingBudget(cfg, localRanks) });
  } catch (e) {
    throw new Error(`${(e as Error).message}; use more ranks, fewer hashBuckets or a smaller embeddingDim, or raise embeddingMemoryMiB`);
  }
}
