import { assertDeviceAvailable, empty, isGradEnabled, tensor, toDevice, untracked } from "@gmeta/tensor";
import type { Device, Tensor } from "@gmeta/tensor";

import { loadCheckpoint } from "./checkpoint/loadCheckpoint.js";
import { saveCheckpoint } from "./checkpoint/saveCheckpoint.js";
import type { CollectionCounters, TrafficCounters } from "./Counters.js";
import { zeroTraffic } from "./Counters.js";
import { gradNumel } from "./EmbeddingTable.js";
import { argError, describe } from "./errors.js";
import type { Exchange } from "./exchange/Exchange.js";
import { idArray, rowsOfIds } from "./ids.js";
import type { IdInput } from "./ids.js";
import { LazyTableLookup, LookupResult } from "./LookupResult.js";
import type { OwnerRoute, TableLookup } from "./LookupResult.js";
import type { ResolvedOptimizer, SparseOptimizerConfig } from "./optim/SparseOptimizer.js";
import { resolveOptimizer } from "./optim/SparseOptimizer.js";
import type { ShardingPlan, TablePlan } from "./plan/types.js";
import { validatePlan } from "./plan/validatePlan.js";
import { checkOffsets } from "./pooling.js";
import type { PoolingMode } from "./pooling.js";
import { routeRows } from "./routing.js";
import type { TableRoute } from "./routing.js";
import { RowShard } from "./RowShard.js";
import { gradsByHost, rowsByHost } from "./rows/hostRows.js";
import type { RowsContext } from "./rows/RowsContext.js";
import { gradsByTensor, rowsByTensor } from "./rows/tensorRows.js";
import type { ResolvedTable, TableConfig } from "./TableConfig.js";
import { resolveTables } from "./TableConfig.js";

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
  /** @internal Run the device path's tensor code on the CPU too (tests of that path). */
  tensorPath?: boolean;
}

/** One table's ids in a lookup, with optional multi-hot bags to pool. */
export interface TableIds {
  ids: IdInput;
  /** B + 1 bag offsets into ids; the values are then pooled per bag. */
  offsets?: BigInt64Array | Int32Array;
  /** Default "sum". */
  pooling?: PoolingMode;
}

/** Words before each request's counts: the sender's status (0 ok, 1 its input was rejected). */
const HEADER = 1;

/**
 * Embedding tables sharded over a process group by a plan. `lookup` dedups ids per table,
 * sends the unique rows' ids to their owners and the rows back (two AlltoAllV for all tables
 * together); `applyGradients` sends E_U's gradient rows to the owners (one AlltoAllV), which
 * sum duplicates and apply the fused sparse optimizer to the rows they own.
 */
export class ShardedEmbeddingCollection implements RowsContext {
  readonly tables: readonly ResolvedTable[];
  readonly plan: ShardingPlan;
  readonly optimizer: ResolvedOptimizer;
  readonly dedup: boolean;
  /** Where rows, state and looked-up E_U live. */
  readonly device: Device;
  /** @internal */ readonly group: Exchange;
  /** Whether rows move as tensors on `device` (always off the CPU) rather than host arrays. */
  private readonly tensorPath: boolean;
  /** @internal This rank's shard of each table (undefined where it owns none), in table order. */
  readonly shards: (RowShard | undefined)[];
  private readonly tablePlans: TablePlan[];
  private readonly index = new Map<string, number>();
  private last: LookupResult | undefined;
  /** Updates applied to each table; kept here because a rank may own no rows of a table. */
  private readonly steps: number[];
  private countersValue: CollectionCounters = { lookup: zeroTraffic(), update: zeroTraffic() };

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
    this.group = g;
    this.dedup = opts.dedup ?? true;
    this.device = opts.device ?? "cpu";
    if (typeof this.device !== "string") throw argError(op, '"cpu" or "cuda:N"', "device", describe(this.device));
    assertDeviceAvailable(op, this.device);
    this.tensorPath = this.device !== "cpu" || opts.tensorPath === true;
    this.tablePlans = this.tables.map((t) => byName.get(t.name)!);
    this.tables.forEach((t, i) => this.index.set(t.name, i));
    this.steps = this.tables.map(() => 0);
    this.shards = this.tablePlans.map((tp, i) => {
      const s = tp.shards.find((x) => x.rank === g.rank);
      return s && s.rowCount > 0 ? new RowShard(this.tables[i]!, this.optimizer, s.rowStart, s.rowCount, this.device) : undefined;
    });
  }

  get rank(): number {
    return this.group.rank;
  }

  get worldSize(): number {
    return this.group.size;
  }

  /** Traffic since construction or the last resetCounters(). */
  get counters(): CollectionCounters {
    return structuredClone(this.countersValue);
  }

  /** @internal The live counters, which the row paths add to. */
  traffic(): CollectionCounters {
    return this.countersValue;
  }

  resetCounters(): void {
    this.countersValue = { lookup: zeroTraffic(), update: zeroTraffic() };
  }

  /** This rank's rows of a table (weights, optimizer state, step), or undefined where it owns none. */
  localShard(table: string): RowShard | undefined {
    return this.shards[this.tableIndex("localShard", table)];
  }

  private tableIndex(op: string, table: string): number {
    const i = this.index.get(table);
    if (i === undefined) throw new Error(`${op}: no table "${table}" (tables: ${this.tables.map((t) => t.name).join(", ")})`);
    return i;
  }

  /**
   * Looks up ids of any of the tables (the same tables on every rank, support and query
   * together): rows come back as E_U leaves that require grad, with values built from them.
   * Collective: every rank calls it in the same order.
   * @example const r = await coll.lookup({ item: ids, tags: { ids: tagIds, offsets, pooling: "mean" } });
   */
  async lookup(input: Readonly<Record<string, IdInput | TableIds>>): Promise<LookupResult> {
    const op = "ShardedEmbeddingCollection.lookup";
    // Read before the first await: the caller's grad mode is only in force synchronously.
    const record = isGradEnabled();
    const W = this.worldSize;
    const T = this.tables.length;
    // Bad input is found before any exchange; the rank still joins the first exchange with
    // a failure flag and no rows, so every rank fails together instead of leaving peers waiting.
    let routes: (TableRoute | undefined)[] = new Array(T).fill(undefined);
    const asked: (TableIds | undefined)[] = new Array(T);
    let failure: unknown;
    try {
      if (typeof input !== "object" || input === null) throw argError(op, "an object of ids per table", "input", describe(input));
      for (const [name, v] of Object.entries(input)) {
        const i = this.tableIndex(op, name);
        asked[i] = v instanceof BigInt64Array || (typeof v === "object" && v !== null && !("ids" in v)) ? { ids: v as IdInput } : (v as TableIds);
      }
      routes = asked.map((a, i) => {
        if (!a) return undefined;
        const t = this.tables[i]!;
        const ids = idArray(op, t.name, a.ids);
        if (a.offsets !== undefined) checkOffsets(op, t.name, a.offsets, ids.length);
        if (a.pooling !== undefined && a.pooling !== "sum" && a.pooling !== "mean") {
          throw argError(op, '"sum" or "mean"', `pooling of table "${t.name}"`, describe(a.pooling));
        }
        return routeRows(rowsOfIds(op, t, ids), this.tablePlans[i]!, W, this.rank, this.dedup);
      });
    } catch (e) {
      failure = e;
      routes = new Array(T).fill(undefined);
    }

    // Request: per destination, a status word, T counts, then each table's global rows.
    const sendCounts = Array.from({ length: W }, (_, d) =>
      HEADER + T + routes.reduce((a, r) => a + (r ? r.destStart[d + 1]! - r.destStart[d]! : 0), 0),
    );
    // Buffers are written in place in the tensors the exchange sends and receives, and all
    // freed when the lookup returns.
    const temps: Tensor[] = [];
    try {
      const reqT = this.temp(temps, sendCounts.reduce((a, b) => a + b, 0), "int32");
      const req = reqT.hostView() as Int32Array;
      let at = 0;
      for (let d = 0; d < W; d++) {
        req[at++] = failure === undefined ? 0 : 1;
        for (let i = 0; i < T; i++) {
          const r = routes[i];
          req[at++] = r ? r.destStart[d + 1]! - r.destStart[d]! : 0;
        }
        for (const r of routes) {
          if (!r) continue;
          for (let k = r.destStart[d]!; k < r.destStart[d + 1]!; k++) req[at++] = r.unique[r.sendOrder[k]!]!;
        }
      }
      const reqIn = await this.allToAll<Int32Array>(temps, reqT, sendCounts, this.countersValue.lookup);

      // Owner: parse each source's request, gather the rows into one reply per source.
      const owner: OwnerRoute = { recvCounts: [], localRows: [] };
      const asks: Int32Array[][] = Array.from({ length: T }, () => []);
      const replyCounts = new Array<number>(W).fill(0);
      if (failure !== undefined) throw failure;
      const failed = Array.from({ length: W }, (_, s) => s).filter((s) => readStatus(reqIn.data, reqIn.counts, s) !== 0);
      if (failed.length > 0) throw new Error(`${op}: rank ${failed.join(", ")} rejected its lookup input (see its error); no rows were exchanged`);
      let p = 0;
      for (let s = 0; s < W; s++) {
        p += HEADER;
        const counts = Array.from(reqIn.data.subarray(p, p + T));
        p += T;
        owner.recvCounts.push(counts);
        for (let i = 0; i < T; i++) {
          const rows = reqIn.data.slice(p, p + counts[i]!);
          p += counts[i]!;
          if (rows.length > 0) {
            const shard = this.shards[i];
            if (!shard) throw new Error(`${op}: rank ${s} asked rank ${this.rank} for rows of table "${this.tables[i]!.name}", which it does not own (plans differ between ranks?)`);
            for (let k = 0; k < rows.length; k++) rows[k]! -= shard.rowStart;
          }
          asks[i]!.push(rows);
          replyCounts[s]! += rows.length * this.tables[i]!.dim;
        }
      }
      owner.localRows = asks.map((list) => concatInt32(list));
      // E_U per table: on the host path filled in place (scatter-add into zeros, no staging
      // copy); on the tensor path gathered on the device from the received rows.
      const owned: Tensor[] = [];
      const uniqueTs = this.tensorPath
        ? await rowsByTensor(this, temps, asks, replyCounts, routes, owned)
        : await rowsByHost(this, temps, asks, replyCounts, routes, owned);
      const out: Record<string, TableLookup> = {};
      const c = this.countersValue.lookup;
      c.calls += 1;
      routes.forEach((r, i) => {
        if (!r) return;
        const t = this.tables[i]!;
        const unique = uniqueTs[i]!.setRequiresGrad(true);
        const a = asked[i]!;
        const pooling = a.offsets === undefined ? undefined : { offsets: checkOffsets(op, t.name, a.offsets, r.n), mode: a.pooling ?? "sum" };
        out[t.name] = new LazyTableLookup(t.name, unique, r.unique, r.inverse, pooling, owned, record);
        const remote = r.unique.length - (r.destStart[this.rank + 1]! - r.destStart[this.rank]!);
        c.ids += r.n;
        c.requestedRows += r.unique.length;
        c.remoteRows += remote;
        c.remoteRowsWithoutDedup += r.remoteWithoutDedup;
        c.requestBytes += remote * 4 * (1 + t.dim);
        c.requestBytesWithoutDedup += r.remoteWithoutDedup * 4 * (1 + t.dim);
      });
      const result = new LookupResult(out, routes, owner, owned);
      this.last = result;
      return result;
    } finally {
      for (const t of temps) t.dispose();
    }
  }

  /**
   * Sends the gradient of each table's E_U ([U, dim], as from grad()) to the owners, who sum
   * duplicates and apply the optimizer. Every table of the lookup needs its gradients; every
   * table's step advances, looked up or not. Collective, once per lookup it answers.
   */
  async applyGradients(gradRows: Readonly<Record<string, Tensor | Float32Array>>, from: LookupResult | undefined = this.last): Promise<void> {
    const op = "ShardedEmbeddingCollection.applyGradients";
    if (!from) throw new Error(`${op}: expected a lookup before applyGradients, got none`);
    const W = this.worldSize;
    const T = this.tables.length;
    from.routes.forEach((r, i) => {
      const t = this.tables[i]!;
      const g = gradRows[t.name];
      if (g === undefined) {
        // Zero rows would still move Adam's moments: a looked-up table must get its gradients.
        if (r) throw new Error(`${op}: missing gradients for table "${t.name}", which the lookup included`);
        return;
      }
      if (!r) throw new Error(`${op}: got gradients for table "${t.name}", which the lookup did not include`);
      const n = g instanceof Float32Array ? g.length : gradNumel(op, t.name, g);
      if (n !== r.unique.length * t.dim) {
        throw argError(op, `[${r.unique.length}, ${t.dim}] (the unique rows of the lookup)`, `gradients of table "${t.name}"`, `${n} floats`);
      }
    });
    for (const name of Object.keys(gradRows)) this.tableIndex(op, name);
    const sendCounts = new Array<number>(W).fill(0);
    from.routes.forEach((r, i) => {
      if (r) for (let d = 0; d < W; d++) sendCounts[d]! += (r.destStart[d + 1]! - r.destStart[d]!) * this.tables[i]!.dim;
    });
    const temps: Tensor[] = [];
    const c = this.countersValue.update;
    try {
      // Per table, the gradient rows each owner sends back (in source order, as owner.localRows).
      const per = this.tensorPath
        ? await gradsByTensor(this, temps, gradRows, from, sendCounts)
        : await gradsByHost(this, temps, gradRows, from, sendCounts);
      c.calls += 1;
      from.routes.forEach((r, i) => {
        if (!r) return;
        const remote = r.unique.length - (r.destStart[this.rank + 1]! - r.destStart[this.rank]!);
        const dim = this.tables[i]!.dim;
        c.ids += r.unique.length;
        c.requestedRows += r.unique.length;
        c.remoteRows += remote;
        c.remoteRowsWithoutDedup += r.remoteWithoutDedup;
        c.requestBytes += remote * 4 * dim;
        c.requestBytesWithoutDedup += r.remoteWithoutDedup * 4 * dim;
      });
      this.shards.forEach((shard, i) => {
        // Each requester's rows are unique already: duplicates need two or more requesters.
        const sources = from.owner.recvCounts.filter((counts) => counts[i]! > 0).length;
        if (shard) shard.apply(from.owner.localRows[i]!, per[i]!, sources <= 1 && this.dedup);
      });
      for (let i = 0; i < T; i++) this.steps[i]! += 1;
    } finally {
      for (const t of temps) t.dispose();
    }
  }

  /**
   * @internal AlltoAllV of a tensor on the collection's device, staged through the group's
   * device when they differ (a GPU collection over a host group); the result is on the
   * collection's device.
   */
  async allToAllTensor(temps: Tensor[], send: Tensor, counts: number[], c: TrafficCounters): Promise<Tensor> {
    const { recv } = await this.exchange(temps, send, counts, c);
    const back = untracked(() => toDevice(recv, this.device));
    if (back !== recv) temps.push(back);
    return back;
  }

  /**
   * One AlltoAllV on the group's device (send staged there when it lives elsewhere), with
   * its traffic counted; the staged copy and the received tensor join temps.
   */
  private async exchange(temps: Tensor[], send: Tensor, counts: number[], c: TrafficCounters): Promise<{ recv: Tensor; recvCounts: number[] }> {
    const staged = untracked(() => toDevice(send, this.group.device ?? "cpu"));
    if (staged !== send) temps.push(staged);
    const { recv, recvCounts } = await this.group.allToAllV(staged, counts);
    temps.push(recv);
    const bytes = send.dtype === "int32" || send.dtype === "float32" ? 4 : 8;
    c.allToAllCalls += 1;
    c.bytesSent += (counts.reduce((a, b) => a + b, 0) - counts[this.rank]!) * bytes;
    c.bytesReceived += (recvCounts.reduce((a, b) => a + b, 0) - recvCounts[this.rank]!) * bytes;
    return { recv, recvCounts };
  }

  /** Frees this rank's rows and optimizer state; the collection is unusable afterwards. */
  dispose(): void {
    this.last?.dispose();
    this.last = undefined;
    for (const s of this.shards) s?.dispose();
  }

  /** Updates applied to a table so far (the same on every rank). */
  step(table: string): number {
    return this.steps[this.tableIndex("step", table)]!;
  }

  /**
   * Writes every shard with its optimizer state and a manifest (tables, optimizer, plan,
   * world size, checksums) into `dir`, atomically. Collective.
   */
  async save(dir: string): Promise<void> {
    await saveCheckpoint(dir, {
      group: this.group, tables: this.tables, optimizer: this.optimizer, plan: this.plan, shards: this.shards,
      steps: Object.fromEntries(this.tables.map((t, i) => [t.name, this.steps[i]!])),
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
      loaded = loadCheckpoint(dir, { tables: this.tables, optimizer: this.optimizer, shards: this.shards });
    } catch (e) {
      failure = e;
    }
    // Ranks read different files, so only some may find damage: they agree first, and every
    // rank refuses (and changes nothing) if any does, instead of leaving peers waiting.
    const flags = await this.agree(failure === undefined);
    if (failure !== undefined) throw failure;
    const bad = flags.findIndex((ok) => !ok);
    if (bad >= 0) throw new Error(`checkpoint ${dir}: refused by rank ${bad} (see its error); nothing was loaded`);
    loaded!.commit();
    this.tables.forEach((t, i) => (this.steps[i] = loaded!.steps[t.name]!));
  }

  /** Every rank's yes/no, in rank order (one small AlltoAllV). */
  private async agree(ok: boolean): Promise<boolean[]> {
    const W = this.worldSize;
    const temps: Tensor[] = [];
    try {
      const send = tensor(new Int32Array(W).fill(ok ? 1 : 0), { shape: [W] });
      temps.push(send);
      const { data } = await this.allToAll<Int32Array>(temps, send, new Array<number>(W).fill(1), { ...zeroTraffic() });
      return Array.from(data, (x) => x === 1);
    } finally {
      for (const t of temps) t.dispose();
    }
  }

  /** @internal A flat tensor to fill in place and send; freed by the caller with the other temps. */
  temp(temps: Tensor[], n: number, dtype: "int32" | "float32"): Tensor {
    const t = empty([n], { dtype });
    temps.push(t);
    return t;
  }

  /**
   * @internal One AlltoAllV of a flat host tensor whose result is read on the host (requests,
   * and the host path's rows), staged through the group's device when that is a GPU.
   */
  async allToAll<A extends Int32Array | Float32Array>(
    temps: Tensor[],
    send: Tensor,
    counts: number[],
    c: TrafficCounters,
  ): Promise<{ data: A; counts: number[] }> {
    const { recv, recvCounts } = await this.exchange(temps, send, counts, c);
    const data = (recv.device === "cpu" ? recv.hostView() : recv.toArray()) as A;
    return { data, counts: recvCounts };
  }
}

/** The status word of source s in a received request buffer. */
function readStatus(data: Int32Array, counts: number[], s: number): number {
  let at = 0;
  for (let k = 0; k < s; k++) at += counts[k]!;
  return data[at]!;
}

function concatInt32(parts: Int32Array[]): Int32Array {
  const out = new Int32Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
