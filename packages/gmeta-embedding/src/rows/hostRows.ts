// Rows as host arrays: owners copy rows into one host reply, requesters write E_U in place,
// and gradients travel the same way. The CPU's default path (no staging copies).
import { zeros } from "@gmeta/tensor";
import type { Tensor } from "@gmeta/tensor";

import { gradArray } from "../EmbeddingTable.js";
import type { LookupResult } from "../LookupResult.js";
import { addon } from "../native/binding.js";
import type { TableRoute } from "../routing.js";
import type { RowsContext } from "./RowsContext.js";

/** Owner gathers into a host reply; requester places rows into E_U in place. */
export async function rowsByHost(
  ctx: RowsContext,
  temps: Tensor[], asks: Int32Array[][], replyCounts: number[], routes: (TableRoute | undefined)[], owned: Tensor[],
): Promise<(Tensor | undefined)[]> {
  const W = ctx.worldSize;
  const T = ctx.tables.length;
  const replyT = ctx.temp(temps, replyCounts.reduce((a, b) => a + b, 0), "float32");
  const reply = replyT.hostView() as Float32Array;
  let q = 0;
  for (let s = 0; s < W; s++) {
    for (let i = 0; i < T; i++) {
      const rows = asks[i]![s]!;
      if (rows.length === 0) continue;
      const dim = ctx.tables[i]!.dim;
      ctx.shards[i]!.gather(rows, reply.subarray(q, q + rows.length * dim));
      q += rows.length * dim;
    }
  }
  const rowsIn = await ctx.allToAll<Float32Array>(temps, replyT, replyCounts, ctx.traffic().lookup);
  const uniqueTs = routes.map((r, i) => {
    if (!r) return undefined;
    const t = zeros([r.unique.length, ctx.tables[i]!.dim]);
    owned.push(t);
    return t;
  });
  const uniqueBufs = uniqueTs.map((t) => (t ? (t.hostView() as Float32Array) : undefined));
  let o = 0;
  for (let d = 0; d < W; d++) {
    routes.forEach((r, i) => {
      if (!r) return;
      const dim = ctx.tables[i]!.dim;
      const order = r.sendOrder.subarray(r.destStart[d]!, r.destStart[d + 1]!);
      addon.scatterAddRows(uniqueBufs[i]!, dim, order, rowsIn.data.subarray(o, o + order.length * dim));
      o += order.length * dim;
    });
  }
  return uniqueTs;
}


/** Host path of applyGradients: rows copied into one host buffer, received per table. */
export async function gradsByHost(
  ctx: RowsContext,
  temps: Tensor[], gradRows: Readonly<Record<string, Tensor | Float32Array>>, from: LookupResult, sendCounts: number[],
): Promise<Float32Array[]> {
  const op = "ShardedEmbeddingCollection.applyGradients";
  const W = ctx.worldSize;
  const T = ctx.tables.length;
  const grads = from.routes.map((r, i) => (r ? gradArray(op, ctx.tables[i]!.name, gradRows[ctx.tables[i]!.name]) : undefined));
  const sendT = ctx.temp(temps, sendCounts.reduce((a, b) => a + b, 0), "float32");
  const send = sendT.hostView() as Float32Array;
  let at = 0;
  for (let d = 0; d < W; d++) {
    from.routes.forEach((r, i) => {
      if (!r) return;
      const dim = ctx.tables[i]!.dim;
      const order = r.sendOrder.subarray(r.destStart[d]!, r.destStart[d + 1]!);
      addon.gatherRows(grads[i]!, dim, order, send.subarray(at, at + order.length * dim));
      at += order.length * dim;
    });
  }
  const gin = await ctx.allToAll<Float32Array>(temps, sendT, sendCounts, ctx.traffic().update);
  // Owner: de-interleave per table in source order, matching owner.localRows.
  const per: Float32Array[] = ctx.tables.map((t, i) => new Float32Array(from.owner.localRows[i]!.length * t.dim));
  const fill = new Array<number>(T).fill(0);
  let p = 0;
  for (let s = 0; s < W; s++) {
    for (let i = 0; i < T; i++) {
      const n = from.owner.recvCounts[s]![i]! * ctx.tables[i]!.dim;
      per[i]!.set(gin.data.subarray(p, p + n), fill[i]!);
      fill[i]! += n;
      p += n;
    }
  }
  return per;
}

