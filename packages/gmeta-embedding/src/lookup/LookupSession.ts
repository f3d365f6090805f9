import { concat, empty, noGrad, reshape, tensor, tidyAsync, toDevice } from "@gmeta/tensor";
import type { Scope, Tensor } from "@gmeta/tensor";

import { countRoutes } from "../Counters.js";
import type { TrafficCounters } from "../Counters.js";
import { gradNumel } from "../EmbeddingTable.js";
import { argError } from "../errors.js";
import { stagedAllToAll } from "../exchange/stagedAllToAll.js";
import type { TableRoute } from "../routing.js";
import type { CollectionCore } from "./CollectionCore.js";
import { fromPeerBlocks, toPeerBlocks } from "./peerBlocks.js";
import type { TableLookup } from "./TableLookup.js";
import type { OwnerRoute } from "./wire.js";
import { concatInt32 } from "../concatRows.js";

/** Rows one push delivered to this rank for a table it owns: global rows and their values, in source order. */
export interface PushedRows {
  rows: Int32Array;
  /** [rows.length, dim] on the collection's device, owned by the session. */
  values: Tensor;
}

/** Rows of E_U's shape per table (gradients or pushed rows), as tensors or host floats. */
export type RowsPerTable = Readonly<Record<string, Tensor | Float32Array>>;

/**
 * One lookup and everything that answers it: E_U per table (leaves that require grad), the
 * inverse index, the route the rows took, and an arena that owns every tensor of the session.
 * `applyGradients` sends E_U's gradients home once; `push` sends rows home on the same
 * route without applying them (the naive baseline's parameter-server traffic); `dispose`
 * frees it all. Collective: every rank calls the same methods in the same order.
 * @example const s = await coll.lookup({ item: ids }); const g = grad(loss(s.get("item").values), s.leaves()); await s.applyGradients({ item: g[0] }); s.dispose();
 */
export class LookupSession {
  private applied = false;
  private disposed = false;

  /** @internal Made by ShardedEmbeddingCollection.lookup. */
  constructor(
    /** @internal */ readonly core: CollectionCore,
    readonly tables: Readonly<Record<string, TableLookup>>,
    /** Per table (in the collection's order; undefined where not looked up): how its rows were routed. */
    readonly route: readonly (TableRoute | undefined)[],
    /** @internal What this rank, as an owner, was asked for. */
    readonly owner: OwnerRoute,
    private readonly arena: Scope,
  ) {}

  /** One table's lookup; throws naming the table if it was not looked up. */
  get(table: string): TableLookup {
    const t = this.tables[table];
    if (!t) throw new Error(`LookupSession.get: table "${table}" was not part of this lookup (looked up: ${Object.keys(this.tables).join(", ")})`);
    return t;
  }

  /** The E_U leaves in the collection's table order, for grad(). */
  leaves(): Tensor[] {
    return Object.values(this.tables).map((t) => t.unique);
  }

  /**
   * Sends the gradient of each table's E_U ([U, dim], as from grad()) to the owners, who sum
   * duplicates and apply the sparse optimizer; every table's step advances, looked up or not.
   * Once per session.
   */
  async applyGradients(grads: RowsPerTable): Promise<void> {
    await applyGradientsTogether([this], [grads]);
  }

  /**
   * Sends rows of E_U's shape per table to the owners over this lookup's route, as a
   * parameter server receives a worker's adapted rows; nothing is applied. Returns what
   * this rank received for the tables it owns. Any number of times per session.
   */
  async push(rows: RowsPerTable): Promise<Record<string, PushedRows>> {
    const op = "LookupSession.push";
    this.assertLive(op);
    checkRows(op, this, rows, this.core.tables, "rows");
    const received = await sendHome([this], [rows], this.core.counters.push);
    const out: Record<string, PushedRows> = {};
    this.core.shards.forEach((shard, i) => {
      const values = received[i]!;
      if (!shard) {
        values.dispose();
        return;
      }
      out[this.core.tables[i]!.name] = { rows: Int32Array.from(this.owner.localRows[i]!, (r) => r + shard.rowStart), values: this.arena.adopt(values) };
    });
    return out;
  }

  /** Frees E_U, the values built from it, pushed rows and every other tensor of the session. */
  dispose(): void {
    this.disposed = true;
    this.arena.dispose();
  }

  /** @internal Throws the clear error for a disposed session or one already answered; `mark` answers it. */
  claim(op: string, mark: boolean): void {
    this.assertLive(op);
    if (this.applied) throw new Error(`${op}: expected a lookup session whose gradients are not yet applied, got one already applied (one update per lookup)`);
    this.applied ||= mark;
  }

  /** @internal */
  assertLive(op: string): void {
    if (this.disposed) throw new Error(`${op}: expected a live lookup session, got one already disposed`);
  }
}

/**
 * Sends the gradients of several sessions of the same collection home in one AlltoAllV and
 * applies them as one optimizer step per table (duplicates across sessions summed): how the
 * naive baseline, which looks up task by task, still makes one sparse update per meta-step.
 */
export async function applyGradientsTogether(sessions: readonly LookupSession[], grads: readonly RowsPerTable[]): Promise<void> {
  const op = "LookupSession.applyGradients";
  if (sessions.length === 0) throw argError(op, "at least one session", "sessions", "none");
  if (grads.length !== sessions.length) throw argError(op, `${sessions.length} gradient sets (one per session)`, "grads", String(grads.length));
  const core = sessions[0]!.core;
  if (sessions.some((s) => s.core !== core)) throw argError(op, "sessions of one collection", "sessions", "sessions of different collections");
  for (const s of sessions) s.claim(op, false);
  sessions.forEach((s, j) => checkRows(op, s, grads[j]!, core.tables, "gradients"));
  for (const s of sessions) s.claim(op, true);
  const per = await sendHome(sessions, grads, core.counters.update);
  try {
    core.shards.forEach((shard, i) => {
      if (!shard) return;
      // Each requester's rows are unique already: duplicates need two or more requesters.
      const sources = sessions.reduce((a, s) => a + s.owner.recvCounts.filter((c) => c[i]! > 0).length, 0);
      const index = sessions.length === 1 ? sessions[0]!.owner.localRows[i]! : concatInt32(sessions.map((s) => s.owner.localRows[i]!));
      shard.apply(index, per[i]!, sources <= 1 && core.dedup);
    });
    for (let i = 0; i < core.steps.length; i++) core.steps[i]! += 1;
  } finally {
    for (const t of per) t.dispose();
  }
}

/**
 * Steps 5 of the G-Meta step, sparse half: rows of E_U's shape go to their owners on the
 * sessions' routes (one AlltoAllV). Returns, per table, what this rank received as an owner,
 * in the order of the sessions' owner routes ([rows, dim] on the collection's device).
 */
async function sendHome(sessions: readonly LookupSession[], rows: readonly RowsPerTable[], c: TrafficCounters): Promise<Tensor[]> {
  const core = sessions[0]!.core;
  const { tables, group } = core;
  const W = group.size;
  const T = tables.length;
  return tidyAsync(async (scope) => {
    // Sources are (session, table) pairs; the wire holds, per destination, each session's tables in turn.
    const sources = sessions.flatMap((s, j) => s.route.map((r, i) => {
      if (!r) return undefined;
      const g = rows[j]![tables[i]!.name]!;
      return scope.run(() => noGrad(() => g instanceof Float32Array
        ? tensor(g, { shape: [r.unique.length, tables[i]!.dim], device: core.device })
        : reshape(toDevice(g, core.device), [r.unique.length, tables[i]!.dim])));
    }));
    if (W === 1) {
      // A world of one owns every row, and each route's send order is the identity: the rows
      // are already what the owner receives, so nothing is gathered, exchanged or split. The
      // exchange still counts as one, so the step's shape reads the same on any rank count.
      c.allToAllCalls += 1;
      for (const s of sessions) countRoutes(c, s.route, tables, group.rank, 0, false);
      return scope.run(() => noGrad(() => tables.map((t, i) => {
        const mine = sessions.map((_, j) => sources[j * T + i]).filter((x): x is Tensor => x !== undefined);
        if (mine.length === 0) return empty([0, t.dim], { dtype: "float32", device: core.device });
        return mine.length === 1 ? mine[0]! : concat(mine, 0);
      })));
    }
    const dims = sessions.flatMap(() => tables.map((t) => t.dim));
    const routeOf = (ji: number) => sessions[Math.floor(ji / T)]!.route[ji % T];
    const send = toPeerBlocks(scope, sources, dims, W, (ji, d) => {
      const r = routeOf(ji)!;
      return r.sendOrder.subarray(r.destStart[d]!, r.destStart[d + 1]!);
    }, core.device);
    const got = await stagedAllToAll(group, scope, send.flat, send.counts, c, core.device);
    const parts = fromPeerBlocks(scope, got.recv, dims, W, (s, ji) => sessions[Math.floor(ji / T)]!.owner.recvCounts[s]![ji % T]!);
    for (const s of sessions) countRoutes(c, s.route, tables, group.rank, 0, false);
    return scope.run(() => noGrad(() => tables.map((_, i) => {
      const mine = sessions.map((_, j) => parts[j * T + i]!);
      return mine.length === 1 ? mine[0]! : concat(mine, 0);
    })));
  });
}

/** Every looked-up table has rows of E_U's shape, and no other table has any. */
function checkRows(op: string, s: LookupSession, rows: RowsPerTable, tables: CollectionCore["tables"], what: string): void {
  if (typeof rows !== "object" || rows === null) throw argError(op, `an object of ${what} per table`, what, String(rows));
  const names = new Set(tables.map((t) => t.name));
  for (const name of Object.keys(rows)) {
    if (!names.has(name)) throw new Error(`${op}: no table "${name}" (tables: ${[...names].join(", ")})`);
  }
  s.route.forEach((r, i) => {
    const t = tables[i]!;
    const g = rows[t.name];
    if (g === undefined) {
      // Zero rows would still move Adam's moments: a looked-up table must get its rows.
      if (r) throw new Error(`${op}: missing ${what} for table "${t.name}", which the lookup included`);
      return;
    }
    if (!r) throw new Error(`${op}: got ${what} for table "${t.name}", which the lookup did not include`);
    const n = g instanceof Float32Array ? g.length : gradNumel(op, t.name, g);
    if (n !== r.unique.length * t.dim) {
      throw argError(op, `[${r.unique.length}, ${t.dim}] (the unique rows of the lookup)`, `${what} of table "${t.name}"`, `${n} floats`);
    }
  });
}
