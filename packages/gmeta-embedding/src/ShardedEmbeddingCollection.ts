import { assertDeviceAvailable } from "@gmeta/tensor";
import type { Device } from "@gmeta/tensor";

import { agree } from "./checkpoint/agree.js";
import { loadCheckpoint } from "./checkpoint/loadCheckpoint.js";
import { saveCheckpoint } from "./checkpoint/saveCheckpoint.js";
import type { CollectionCounters } from "./Counters.js";
import { zeroCounters } from "./Counters.js";
import { argError, describe } from "./errors.js";
import type { Exchange } from "./exchange/Exchange.js";
import type { IdInput } from "./ids.js";
import type { CollectionCore } from "./lookup/CollectionCore.js";
import type { LookupSession } from "./lookup/LookupSession.js";
import { openSession } from "./lookup/openSession.js";
import type { DedupedTableIds, TableIds } from "./lookup/openSession.js";
import type { ResolvedOptimizer, SparseOptimizerConfig } from "./optim/SparseOptimizer.js";
import { resolveOptimizer } from "./optim/SparseOptimizer.js";
import type { ShardingPlan } from "./plan/types.js";
import { validatePlan } from "./plan/validatePlan.js";
import { RowShard } from "./RowShard.js";
import type { ResolvedTable, TableConfig } from "./TableConfig.js";
import { resolveTables } from "./TableConfig.js";

export type { DedupedTableIds, TableIds } from "./lookup/openSession.js";

/** Options of a sharded collection; every rank passes the same tables, plan and optimizer. */
export interface CollectionOptions {
  tables: readonly TableConfig[];
  plan: ShardingPlan;
  /** A @gmeta/collectives ProcessGroup, or anything with its allToAllV and barrier. */
  processGroup: Exchange;
  optimizer: SparseOptimizerConfig;
  /** Deduplicate ids before the exchange (default true); off only to measure what it saves. */
  dedup?: boolean;
  /**
   * Where this rank's rows, optimizer state and E_U live (default "cpu"). On "cuda:N" the
   * rows never leave the GPU: owners gather and update them there, and the exchange runs on
   * the group's device (NCCL on the same GPU moves them directly; a host group stages them).
   */
  device?: Device;
}

/**
 * Embedding tables sharded over a process group by a plan. `lookup` opens a session (E_U,
 * inverse, route, arena) with two AlltoAllV for all tables together; the session's
 * `applyGradients` sends E_U's gradient rows to the owners (one AlltoAllV), which sum
 * duplicates and apply the fused sparse optimizer to the rows they own.
 */
export class ShardedEmbeddingCollection {
  readonly tables: readonly ResolvedTable[];
  readonly plan: ShardingPlan;
  readonly optimizer: ResolvedOptimizer;
  readonly dedup: boolean;
  /** Where rows, state and looked-up E_U live. */
  readonly device: Device;
  private readonly core: CollectionCore;
  private readonly index = new Map<string, number>();

  constructor(opts: CollectionOptions) {
    const op = "ShardedEmbeddingCollection";
    const g = opts.processGroup;
    if (!g || typeof g.allToAllV !== "function" || !Number.isSafeInteger(g.rank) || !Number.isSafeInteger(g.size)) {
      throw argError(op, "a process group with rank, size and allToAllV", "processGroup", describe(g));
    }
    this.tables = resolveTables(op, opts.tables);
    this.optimizer = resolveOptimizer(op, opts.optimizer);
    const byName = validatePlan(op, opts.plan, this.tables, g.size);
    this.plan = opts.plan;
    this.dedup = opts.dedup ?? true;
    this.device = opts.device ?? "cpu";
    if (typeof this.device !== "string") throw argError(op, '"cpu" or "cuda:N"', "device", describe(this.device));
    assertDeviceAvailable(op, this.device);
    const tablePlans = this.tables.map((t) => byName.get(t.name)!);
    this.tables.forEach((t, i) => this.index.set(t.name, i));
    const shards = tablePlans.map((tp, i) => {
      const s = tp.shards.find((x) => x.rank === g.rank);
      return s && s.rowCount > 0 ? new RowShard(this.tables[i]!, this.optimizer, s.rowStart, s.rowCount, this.device) : undefined;
    });
    this.core = {
      tables: this.tables, tablePlans, shards, group: g, device: this.device, dedup: this.dedup,
      counters: zeroCounters(), steps: this.tables.map(() => 0),
    };
  }

  get rank(): number {
    return this.core.group.rank;
  }

  get worldSize(): number {
    return this.core.group.size;
  }

  /** Traffic since construction or the last resetCounters(). */
  get counters(): CollectionCounters {
    // A copy (the live counters keep counting); read twice a step, so a plain one.
    const c = this.core.counters;
    return { lookup: { ...c.lookup }, update: { ...c.update }, push: { ...c.push } };
  }

  resetCounters(): void {
    Object.assign(this.core.counters, zeroCounters());
  }

  /** This rank's rows of a table (weights, optimizer state, step), or undefined where it owns none. */
  localShard(table: string): RowShard | undefined {
    return this.core.shards[this.tableIndex("localShard", table)];
  }

  private tableIndex(op: string, table: string): number {
    const i = this.index.get(table);
    if (i === undefined) throw new Error(`${op}: no table "${table}" (tables: ${this.tables.map((t) => t.name).join(", ")})`);
    return i;
  }

  /**
   * Looks up ids of any of the tables (the same tables on every rank, support and query
   * together) and returns the session that answers them: E_U leaves that require grad, the
   * inverse index, values built from E_U, and the way home for gradients. Collective.
   * A table's ids may come deduplicated already (`dedupRows`, e.g. in a loader's workers).
   * @example const s = await coll.lookup({ item: ids, tags: { ids: tagIds, offsets, pooling: "mean" } });
   */
  lookup(input: Readonly<Record<string, IdInput | TableIds | DedupedTableIds>>): Promise<LookupSession> {
    return openSession(this.core, input, (op, name) => this.tableIndex(op, name));
  }

  /** Frees this rank's rows and optimizer state; the collection is unusable afterwards. */
  dispose(): void {
    for (const s of this.core.shards) s?.dispose();
  }

  /** Updates applied to a table so far (the same on every rank). */
  step(table: string): number {
    return this.core.steps[this.tableIndex("step", table)]!;
  }

  /**
   * Writes every shard with its optimizer state and a manifest (tables, optimizer, plan,
   * world size, checksums) into `dir`, atomically. Collective.
   */
  async save(dir: string): Promise<void> {
    await saveCheckpoint(dir, {
      group: this.core.group, tables: this.tables, optimizer: this.optimizer, plan: this.plan, shards: this.core.shards,
      steps: Object.fromEntries(this.tables.map((t, i) => [t.name, this.core.steps[i]!])),
    });
  }

  /**
   * Loads a checkpoint written by any world size into this collection's plan (resharding).
   * Refuses a damaged checkpoint or one of other tables or optimizer, naming what differs,
   * and then changes nothing on any rank. Collective.
   */
  async load(dir: string): Promise<void> {
    let loaded: ReturnType<typeof loadCheckpoint> | undefined;
    let failure: unknown;
    try {
      loaded = loadCheckpoint(dir, { tables: this.tables, optimizer: this.optimizer, shards: this.core.shards });
    } catch (e) {
      failure = e;
    }
    // Ranks read different files, so only some may find damage: they agree first, and every
    // rank refuses (and changes nothing) if any does, instead of leaving peers waiting.
    const flags = await agree(this.core.group, failure === undefined);
    if (failure !== undefined) throw failure;
    const bad = flags.findIndex((ok) => !ok);
    if (bad >= 0) throw new Error(`checkpoint ${dir}: refused by rank ${bad} (see its error); nothing was loaded`);
    loaded!.commit();
    this.tables.forEach((t, i) => (this.core.steps[i] = loaded!.steps[t.name]!));
  }
}
