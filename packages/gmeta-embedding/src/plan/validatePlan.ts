import type { ResolvedTable } from "../TableConfig.js";
import type { ShardingPlan, TablePlan } from "./types.js";

/**
 * Checks that a plan (possibly hand-written or read from disk) places exactly these tables
 * on `worldSize` ranks with shards that tile each table; the error names what differs.
 */
export function validatePlan(op: string, plan: ShardingPlan, tables: readonly ResolvedTable[], worldSize: number): Map<string, TablePlan> {
  const fail = (what: string): never => {
    throw new Error(`${op}: bad plan: ${what}`);
  };
  if (typeof plan !== "object" || plan === null || !Array.isArray(plan.tables)) fail("expected an object from planSharding");
  if (plan.worldSize !== worldSize) fail(`made for world size ${plan.worldSize}, but the process group has ${worldSize} ranks`);
  const byName = new Map<string, TablePlan>();
  for (const tp of plan.tables) {
    if (byName.has(tp.table)) fail(`table "${tp.table}" appears twice`);
    byName.set(tp.table, tp);
  }
  for (const t of tables) {
    const tp = byName.get(t.name);
    if (!tp) fail(`table "${t.name}" is not in the plan`);
    else {
      if (tp.rows !== t.rows || tp.dim !== t.dim) fail(`table "${t.name}" is ${tp.rows}×${tp.dim} in the plan but ${t.rows}×${t.dim} in the config`);
      if (!Number.isSafeInteger(tp.blockRows) || tp.blockRows < 1) fail(`table "${t.name}" has blockRows ${tp.blockRows}`);
      let next = 0;
      tp.shards.forEach((s, i) => {
        if (!Number.isSafeInteger(s.rank) || s.rank < 0 || s.rank >= worldSize) fail(`table "${t.name}" shard ${i} is on rank ${s.rank}, outside [0, ${worldSize})`);
        if (s.rowStart !== next || s.rowStart !== Math.min(t.rows, i * tp.blockRows) || s.rowCount < 0 || s.rowCount > tp.blockRows) {
          fail(`table "${t.name}" shard ${i} covers rows [${s.rowStart}, ${s.rowStart + s.rowCount}), expected blocks of ${tp.blockRows} from row ${next}`);
        }
        next = s.rowStart + s.rowCount;
      });
      const ranks = tp.shards.map((s) => s.rank);
      if (new Set(ranks).size !== ranks.length) fail(`table "${t.name}" has two shards on one rank`);
      if (next !== t.rows) fail(`table "${t.name}" shards cover ${next} of ${t.rows} rows`);
    }
  }
  for (const name of byName.keys()) {
    if (!tables.some((t) => t.name === name)) fail(`table "${name}" is in the plan but not in the config`);
  }
  return byName;
}
