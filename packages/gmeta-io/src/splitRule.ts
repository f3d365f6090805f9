import { Rng } from "./rng.js";

/**
 * How each task is split: `query` samples go to the query set, the rest to support. `query`
 * ≥ 1 is a count, 0 < `query` < 1 a ratio of the task's samples (rounded). `by: "time"` puts
 * the latest samples in the query set (needs a timestamp column), `"shuffle"` a seeded random
 * choice; the default is time when the schema has a timestamp, else shuffle.
 */
export interface SplitRule {
  by?: "time" | "shuffle";
  query: number;
}

/** Number of query samples of a task of n samples. */
export function querySize(rule: SplitRule, n: number): number {
  return rule.query >= 1 ? Math.min(n, Math.floor(rule.query)) : Math.round(n * rule.query);
}

/** Throws unless the rule is usable. */
export function validateSplit(rule: SplitRule, hasTimestamp: boolean): Required<SplitRule> {
  if (!rule || typeof rule.query !== "number" || !(rule.query > 0) || (rule.query >= 1 && !Number.isInteger(rule.query))) {
    throw new Error(`prepare: expected a count ≥ 1 or a ratio in (0, 1) for split.query, got ${JSON.stringify(rule?.query)}`);
  }
  const by = rule.by ?? (hasTimestamp ? "time" : "shuffle");
  if (by !== "time" && by !== "shuffle") throw new Error(`prepare: expected "time" or "shuffle" for split.by, got ${JSON.stringify(by)}`);
  if (by === "time" && !hasTimestamp) throw new Error(`prepare: split.by "time" needs a timestamp column in the schema`);
  return { by, query: rule.query };
}

/**
 * Orders the n rows of one task as support then query. Rows arrive sorted by time (then input
 * order); a shuffle split permutes them with a generator seeded by the seed and the task key,
 * so the split of a task does not depend on which other tasks are in the input.
 */
export function splitOrder(n: number, rule: Required<SplitRule>, seed: number, task: bigint): { order: Uint32Array; query: number } {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (rule.by === "shuffle") new Rng(seed ^ Number(BigInt.asIntN(32, task)), Number(BigInt.asIntN(32, task >> 32n)) ^ 0x5bd1e995).shuffle(order);
  return { order, query: querySize(rule, n) };
}
