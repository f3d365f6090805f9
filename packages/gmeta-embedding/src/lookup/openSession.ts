import { gatherRows, isGradEnabled, noGrad, Scope, tensor, tidyAsync } from "@gmeta/tensor";
import type { Tensor } from "@gmeta/tensor";

import { countRoutes } from "../Counters.js";
import { argError, describe } from "../errors.js";
import { stagedAllToAll } from "../exchange/stagedAllToAll.js";
import { idArray, rowsOfIds } from "../ids.js";
import type { IdInput } from "../ids.js";
import { checkOffsets } from "../pooling.js";
import type { PoolingMode } from "../pooling.js";
import { routeRows } from "../routing.js";
import type { TableRoute } from "../routing.js";
import type { CollectionCore } from "./CollectionCore.js";
import { LookupSession } from "./LookupSession.js";
import { fromPeerBlocks, toPeerBlocks } from "./peerBlocks.js";
import { LazyTableLookup } from "./TableLookup.js";
import type { TableLookup } from "./TableLookup.js";
import { decodeRequests, encodeRequests, localRequests, rowsFrom } from "./wire.js";

/** One table's ids in a lookup, with optional multi-hot bags to pool. */
export interface TableIds {
  ids: IdInput;
  /** B + 1 bag offsets into ids; the values are then pooled per bag. */
  offsets?: BigInt64Array | Int32Array;
  /** Default "sum". */
  pooling?: PoolingMode;
}

/**
 * Step 1 of the G-Meta step: dedup ids per table, send the unique rows' ids to their owners
 * and the rows back (two AlltoAllV for all tables together). Bad input is found before any
 * exchange; the rank still joins the first exchange with a failure flag and no rows, so
 * every rank fails together instead of leaving peers waiting.
 */
export async function openSession(core: CollectionCore, input: Readonly<Record<string, IdInput | TableIds>>, tableIndex: (op: string, name: string) => number): Promise<LookupSession> {
  const op = "ShardedEmbeddingCollection.lookup";
  // Read before the first await: the caller's grad mode is only in force synchronously.
  const record = isGradEnabled();
  const { tables, group } = core;
  const W = group.size;
  const T = tables.length;
  let routes: (TableRoute | undefined)[] = new Array(T).fill(undefined);
  const asked: (TableIds | undefined)[] = new Array<TableIds | undefined>(T).fill(undefined);
  let failure: unknown;
  try {
    if (typeof input !== "object" || input === null) throw argError(op, "an object of ids per table", "input", describe(input));
    for (const [name, v] of Object.entries(input)) {
      asked[tableIndex(op, name)] = v instanceof BigInt64Array || (typeof v === "object" && v !== null && !("ids" in v)) ? { ids: v as IdInput } : (v as TableIds);
    }
    routes = asked.map((a, i) => {
      if (!a) return undefined;
      const t = tables[i]!;
      const ids = idArray(op, t.name, a.ids);
      if (a.offsets !== undefined) checkOffsets(op, t.name, a.offsets, ids.length);
      if (a.pooling !== undefined && a.pooling !== "sum" && a.pooling !== "mean") {
        throw argError(op, '"sum" or "mean"', `pooling of table "${t.name}"`, describe(a.pooling));
      }
      return routeRows(rowsOfIds(op, t, ids), core.tablePlans[i]!, W, group.rank, core.dedup);
    });
  } catch (e) {
    failure = e;
    routes = new Array(T).fill(undefined);
  }

  const arena = new Scope();
  try {
    const uniques = await tidyAsync(async (scope) => {
      const c = core.counters.lookup;
      if (W === 1) {
        // A world of one owns every row: E_U is gathered straight from its shards, and the
        // request and reply exchanges are made in place (they still count, so a step reads
        // the same on any rank count).
        if (failure !== undefined) throw failure;
        const owner = localRequests(op, routes, tables, core.shards, group.rank);
        c.allToAllCalls += 2;
        const eu = routes.map((r, i) => {
          if (!r) return undefined;
          const rows = scope.run(() => noGrad(() => gatherRows(core.shards[i]!.rows, tensor(owner.localRows[i]!, { dtype: "int32", device: core.device }))));
          return arena.adopt(scope.release(rows));
        });
        countRoutes(c, routes, tables, group.rank, 1, true);
        return { eu, owner };
      }
      const dims = tables.map((t) => t.dim);
      const req = encodeRequests(scope, routes, W, failure !== undefined);
      const reqIn = await stagedAllToAll(group, scope, req.send, req.counts, c, "cpu");
      if (failure !== undefined) throw failure;
      const owner = decodeRequests(op, reqIn.recv.hostView() as Int32Array, reqIn.recvCounts, tables, core.shards, group.rank);
      // Owner: one reply per source, table after table, gathered where the rows live.
      const reply = toPeerBlocks(scope, core.shards.map((s) => s?.rows), dims, W, (i, s) => rowsFrom(owner, i, s), core.device);
      const rowsIn = await stagedAllToAll(group, scope, reply.flat, reply.counts, c, core.device);
      // Requester: per table the rows arrive grouped by owner, in sendOrder.
      const byOwner = fromPeerBlocks(scope, rowsIn.recv, dims, W, (d, i) => {
        const r = routes[i];
        return r ? r.destStart[d + 1]! - r.destStart[d]! : 0;
      });
      const eu = routes.map((r, i) => (r ? arena.adopt(scope.release(uniqueOrder(scope, byOwner[i]!, r))) : undefined));
      countRoutes(c, routes, tables, group.rank, 1, true);
      return { eu, owner };
    });
    const out: Record<string, TableLookup> = {};
    routes.forEach((r, i) => {
      if (!r) return;
      const t = tables[i]!;
      const a = asked[i]!;
      const pooling = a.offsets === undefined ? undefined : { offsets: checkOffsets(op, t.name, a.offsets, r.n), mode: a.pooling ?? "sum" };
      out[t.name] = new LazyTableLookup(t.name, uniques.eu[i]!.setRequiresGrad(true), r.unique, r.inverse, pooling, arena, record);
    });
    return new LookupSession(core, out, routes, uniques.owner, arena);
  } catch (e) {
    arena.dispose();
    throw e;
  }
}

/** E_U of one table from its rows in owner order: sendOrder's inverse permutation, or the rows themselves when that is the identity. */
function uniqueOrder(scope: { run<T>(fn: () => T): T }, byOwner: Tensor, r: TableRoute): Tensor {
  const U = r.unique.length;
  let identity = true;
  for (let k = 0; k < U && identity; k++) identity = r.sendOrder[k] === k;
  if (identity) return byOwner;
  const at = new Int32Array(U);
  for (let k = 0; k < U; k++) at[r.sendOrder[k]!] = k;
  return scope.run(() => noGrad(() => gatherRows(byOwner, tensor(at, { dtype: "int32", device: byOwner.device }))));
}
