// One sharded-vs-unsharded scenario, run by every rank: in one process over local exchanges,
// or in real processes over Gloo. Each rank also steps the unsharded reference on the global
// batch and compares its own rows, so a failure names the rank, table and step.
import { grad, mul, sum, tensor } from "@gmeta/tensor";
import type { Device } from "@gmeta/tensor";

import { EmbeddingTable, planSharding, ShardedEmbeddingCollection } from "../../src/index.js";
import type { Exchange, ShardingStrategy, SparseOptimizerConfig, TableConfig } from "../../src/index.js";

export const TABLES: TableConfig[] = [
  { name: "user", rows: 50, dim: 4, seed: 1 },
  { name: "item", rows: 37, dim: 8, seed: 2, hash: true, init: "normal" },
  { name: "tag", rows: 20, dim: 4, seed: 3 },
];

/** Ids per rank chunk; tag bags of 3 ids (pooled by mean). */
const IDS_PER_RANK = 12;
const BAG = 3;

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** The global batch of a step for `world` ranks: ids (skewed, many duplicates) and loss weights. */
export function globalBatch(step: number, world: number) {
  const rand = lcg(1000 + step);
  const n = IDS_PER_RANK * world;
  const user = BigInt64Array.from({ length: n }, () => BigInt(Math.floor(rand() * rand() * 50)));
  const item = BigInt64Array.from({ length: n }, () => BigInt(Math.floor(rand() * 1e12)) - 500_000_000_000n);
  // Hashed table: draw from a few ids so duplicates happen.
  for (let i = 0; i < n; i++) if (rand() < 0.5) item[i] = BigInt(i % 5) * 7919n;
  const tag = BigInt64Array.from({ length: n }, () => BigInt(Math.floor(rand() * 20)));
  const coef = (dim: number, rows: number) => Float32Array.from({ length: rows * dim }, () => rand() * 2 - 1);
  return { user, item, tag, cUser: coef(4, n), cItem: coef(8, n), cTag: coef(4, n / BAG) };
}

export interface ScenarioOptions {
  strategy: ShardingStrategy;
  optimizer: SparseOptimizerConfig;
  steps: number;
  /** Default true. */
  dedup?: boolean;
  /** Where the collection keeps rows (default "cpu"). */
  device?: Device;
}

export interface ScenarioReport {
  rank: number;
  worstLookupDiff: number;
  /** Unpooled rows before any update: bit-for-bit the reference's. */
  firstLookupDiff: number;
  worstRowDiff: number;
  worstStateDiff: number;
  requested: number;
  uniqueLocal: number;
  idsLocal: number;
  lookupCalls: number;
  allToAllCalls: number;
  updateAllToAllCalls: number;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

export async function runScenario(group: Exchange, opts: ScenarioOptions): Promise<ScenarioReport> {
  const W = group.size;
  const r = group.rank;
  const constraints = Object.fromEntries(TABLES.map((t) => [t.name, { strategy: opts.strategy }]));
  const plan = planSharding({ tables: TABLES, worldSize: W, constraints });
  const coll = new ShardedEmbeddingCollection({ tables: TABLES, plan, processGroup: group, optimizer: opts.optimizer, dedup: opts.dedup, device: opts.device });
  const device = coll.device;
  const ref = Object.fromEntries(TABLES.map((t) => [t.name, new EmbeddingTable({ ...t, optimizer: opts.optimizer })]));
  const lo = r * IDS_PER_RANK;
  const hi = lo + IDS_PER_RANK;
  const rep: ScenarioReport = { rank: r, worstLookupDiff: 0, firstLookupDiff: 0, worstRowDiff: 0, worstStateDiff: 0, requested: 0, uniqueLocal: 0, idsLocal: 0, lookupCalls: 0, allToAllCalls: 0, updateAllToAllCalls: 0 };
  for (let step = 0; step < opts.steps; step++) {
    const b = globalBatch(step, W);
    const offsets = Int32Array.from({ length: IDS_PER_RANK / BAG + 1 }, (_, i) => i * BAG);
    const res = await coll.lookup({
      user: b.user.subarray(lo, hi),
      item: tensor(b.item.slice(lo, hi), { dtype: "int64" }),
      tag: { ids: b.tag.subarray(lo, hi), offsets, pooling: "mean" },
    });
    for (const name of ["user", "item"] as const) {
      const want = ref[name]!.lookup(b[name].subarray(lo, hi)).toArray() as Float32Array;
      rep.worstLookupDiff = Math.max(rep.worstLookupDiff, maxAbsDiff(res.get(name).values.toArray() as Float32Array, want));
    }
    // Unpooled rows are copies: bit-for-bit. Pooling with autograd on scales a sum by
    // 1/count where the plain path divides, so pooled rows agree to float rounding only.
    if (step === 0) rep.firstLookupDiff = rep.worstLookupDiff;
    const wantTag = ref.tag!.lookupPooled(b.tag.subarray(lo, hi), offsets, "mean").toArray() as Float32Array;
    rep.worstLookupDiff = Math.max(rep.worstLookupDiff, maxAbsDiff(res.get("tag").values.toArray() as Float32Array, wantTag));
    for (const name of ["user", "item", "tag"]) {
      rep.uniqueLocal += new Set(Array.from(ref[name]!.rowsOf(name === "item" ? b.item.subarray(lo, hi) : b[name as "user" | "tag"].subarray(lo, hi)))).size;
    }
    rep.idsLocal += 3 * IDS_PER_RANK;

    // Loss = Σ values ⊙ C over this rank's slice; the meta-gradient is w.r.t. E_U.
    const cU = tensor(b.cUser.slice(lo * 4, hi * 4), { shape: [IDS_PER_RANK, 4], device });
    const cI = tensor(b.cItem.slice(lo * 8, hi * 8), { shape: [IDS_PER_RANK, 8], device });
    const bags = IDS_PER_RANK / BAG;
    const cT = tensor(b.cTag.slice(r * bags * 4, (r + 1) * bags * 4), { shape: [bags, 4], device });
    const total = [mul(res.get("user").values, cU), mul(res.get("item").values, cI), mul(res.get("tag").values, cT)].map((x) => sum(x));
    const leaves = [res.get("user").unique, res.get("item").unique, res.get("tag").unique];
    const gs = grad(total, leaves, { allowUnused: false });
    await res.applyGradients({ user: gs[0]!, item: gs[1]!, tag: gs[2]! });

    // Reference: per-id gradients are the loss weights (mean pooling: weight / bag size).
    ref.user!.applyGradients(b.user, b.cUser);
    ref.item!.applyGradients(b.item, b.cItem);
    const tagGrad = new Float32Array(b.tag.length * 4);
    for (let i = 0; i < b.tag.length; i++) for (let j = 0; j < 4; j++) tagGrad[i * 4 + j] = b.cTag[Math.floor(i / BAG) * 4 + j]! / BAG;
    ref.tag!.applyGradients(b.tag, tagGrad);
    res.dispose();
    [cU, cI, cT, ...gs].forEach((t) => t.dispose());
  }
  for (const t of TABLES) {
    const shard = coll.localShard(t.name);
    const refT = ref[t.name]!;
    if (!shard) continue;
    if (shard.step !== refT.step) throw new Error(`rank ${r} table ${t.name}: step ${shard.step} vs reference ${refT.step}`);
    const lo = shard.rowStart * t.dim;
    const hi = lo + shard.rowCount * t.dim;
    rep.worstRowDiff = Math.max(rep.worstRowDiff, maxAbsDiff(shard.weights, refT.weights.subarray(lo, hi)));
    for (const [k, v] of Object.entries(shard.state)) {
      const full = refT.state[k]!;
      const width = full.length / t.rows;
      rep.worstStateDiff = Math.max(rep.worstStateDiff, maxAbsDiff(v, full.subarray(shard.rowStart * width, (shard.rowStart + shard.rowCount) * width)));
    }
  }
  const c = coll.counters;
  rep.requested = c.lookup.requestedRows;
  rep.lookupCalls = c.lookup.calls;
  rep.allToAllCalls = c.lookup.allToAllCalls;
  rep.updateAllToAllCalls = c.update.allToAllCalls;
  coll.dispose();
  return rep;
}
