// Rows as tensors on the collection's device: owners gather on the device, the exchange runs
// on the group's device (staged when that differs), E_U is one gather per table, and owners
// sum and apply gradients there. The only path on a GPU; the tests also run it on the CPU.
import { concat, empty, gatherRows, noGrad, reshape, slice, tensor, toDevice, untracked, zeros } from "@gmeta/tensor";
import type { Tensor } from "@gmeta/tensor";

import type { LookupResult } from "../LookupResult.js";
import type { TableRoute } from "../routing.js";
import type { RowsContext } from "./RowsContext.js";

/**
 * The same exchange with rows as tensors on the collection's device: owners gather on the
 * device, the reply travels on the group's device, and each table's E_U is one gather of
 * its received rows (ordered by owner) back into unique order.
 */
export async function rowsByTensor(
  ctx: RowsContext,
  temps: Tensor[], asks: Int32Array[][], replyCounts: number[], routes: (TableRoute | undefined)[], owned: Tensor[],
): Promise<(Tensor | undefined)[]> {
  const W = ctx.worldSize;
  const T = ctx.tables.length;
  const parts: Tensor[] = [];
  for (let s = 0; s < W; s++) {
    for (let i = 0; i < T; i++) {
      const rows = asks[i]![s]!;
      if (rows.length > 0) parts.push(ctx.shards[i]!.gatherTensor(rows));
    }
  }
  temps.push(...parts);
  const replyT = flatConcat(ctx, temps, parts);
  const rowsIn = await ctx.allToAllTensor(temps, replyT, replyCounts, ctx.traffic().lookup);
  // Segments of table i arrive per owner d in sendOrder[destStart[d], destStart[d+1]).
  const segments: Tensor[][] = routes.map(() => []);
  let o = 0;
  for (let d = 0; d < W; d++) {
    routes.forEach((r, i) => {
      if (!r) return;
      const n = (r.destStart[d + 1]! - r.destStart[d]!) * ctx.tables[i]!.dim;
      if (n > 0) segments[i]!.push(untracked(() => slice(rowsIn, 0, o, o + n)));
      o += n;
    });
  }
  temps.push(...segments.flat());
  return routes.map((r, i) => {
    if (!r) return undefined;
    const dim = ctx.tables[i]!.dim;
    const U = r.unique.length;
    const t = untracked(() => noGrad(() => {
      if (U === 0) return zeros([0, dim], { device: ctx.device });
      const byOwner = reshape(flatConcat(ctx, temps, segments[i]!), [U, dim]);
      // Row k of byOwner is unique row sendOrder[k]: gather with the inverse permutation.
      const at = new Int32Array(U);
      for (let k = 0; k < U; k++) at[r.sendOrder[k]!] = k;
      const idx = tensor(at, { dtype: "int32", device: ctx.device });
      temps.push(idx, byOwner);
      return gatherRows(byOwner, idx);
    }));
    owned.push(t);
    return t;
  });
}


/** Tensor path of applyGradients: rows gathered, sent and split on the collection's device. */
export async function gradsByTensor(
  ctx: RowsContext,
  temps: Tensor[], gradRows: Readonly<Record<string, Tensor | Float32Array>>, from: LookupResult, sendCounts: number[],
): Promise<Tensor[]> {
  const W = ctx.worldSize;
  const T = ctx.tables.length;
  const grads = from.routes.map((r, i) => {
    if (!r) return undefined;
    const t = ctx.tables[i]!;
    const g = gradRows[t.name]!;
    const on = untracked(() => noGrad(() => {
      if (g instanceof Float32Array) return tensor(g, { shape: [r.unique.length, t.dim], device: ctx.device });
      const moved = toDevice(g, ctx.device);
      if (moved !== g) temps.push(moved);
      return reshape(moved, [r.unique.length, t.dim]);
    }));
    temps.push(on);
    return on;
  });
  const parts: Tensor[] = [];
  for (let d = 0; d < W; d++) {
    from.routes.forEach((r, i) => {
      if (!r || r.destStart[d + 1]! === r.destStart[d]!) return;
      const order = r.sendOrder.slice(r.destStart[d]!, r.destStart[d + 1]!);
      const part = untracked(() => noGrad(() => {
        const idx = tensor(order, { dtype: "int32", device: ctx.device });
        temps.push(idx);
        return gatherRows(grads[i]!, idx);
      }));
      parts.push(part);
    });
  }
  temps.push(...parts);
  const sendT = flatConcat(ctx, temps, parts);
  const gin = await ctx.allToAllTensor(temps, sendT, sendCounts, ctx.traffic().update);
  const segs: Tensor[][] = ctx.tables.map(() => []);
  let p = 0;
  for (let s = 0; s < W; s++) {
    for (let i = 0; i < T; i++) {
      const n = from.owner.recvCounts[s]![i]! * ctx.tables[i]!.dim;
      if (n > 0) segs[i]!.push(untracked(() => slice(gin, 0, p, p + n)));
      p += n;
    }
  }
  temps.push(...segs.flat());
  return segs.map((list) => flatConcat(ctx, temps, list));
}


/** One flat tensor on the collection's device from parts (an empty one when there are none). */
export function flatConcat(ctx: RowsContext, temps: Tensor[], parts: Tensor[]): Tensor {
  const out = untracked(() => noGrad(() => {
    if (parts.length === 0) return empty([0], { dtype: "float32", device: ctx.device });
    const flat = parts.map((p) => reshape(p, [p.numel]));
    if (flat.length === 1) return flat[0]!;
    // The flat views share their parts' storage: freed here, or that memory would wait
    // for the garbage collector (which never sees device memory pressure).
    const joined = concat(flat, 0);
    for (const f of flat) f.dispose();
    return joined;
  }));
  temps.push(out);
  return out;
}

