// The one row exchange of the collection, whatever the device: rows of several tables laid
// out as one flat tensor of per-peer blocks (what AlltoAllV sends), and taken apart again.
// Owners' replies, requesters' gradients and pushes all travel through these two functions.
import { concat, empty, gatherRows, noGrad, reshape, slice, tensor } from "@gmeta/tensor";
import type { Device, Scope, Tensor } from "@gmeta/tensor";

/**
 * One flat float32 tensor of `peers` blocks: block k holds, table after table, the rows
 * `pick(i, k)` of `sources[i]` ([rows, dims[i]]). Returns it with each block's element count.
 */
export function toPeerBlocks(
  scope: Scope, sources: readonly (Tensor | undefined)[], dims: readonly number[], peers: number,
  pick: (table: number, peer: number) => Int32Array | undefined, device: Device,
): { flat: Tensor; counts: number[] } {
  const counts = new Array<number>(peers).fill(0);
  const flat = scope.run(() => noGrad(() => {
    const parts: Tensor[] = [];
    for (let k = 0; k < peers; k++) {
      sources.forEach((src, i) => {
        const rows = src ? pick(i, k) : undefined;
        if (!rows || rows.length === 0) return;
        const idx = tensor(rows, { dtype: "int32", device });
        parts.push(reshape(gatherRows(src!, idx), [rows.length * dims[i]!]));
        counts[k]! += rows.length * dims[i]!;
      });
    }
    if (parts.length === 0) return empty([0], { dtype: "float32", device });
    return parts.length === 1 ? parts[0]! : concat(parts, 0);
  }));
  return { flat, counts };
}

/**
 * The inverse of toPeerBlocks on the receiving side: per table, the rows of every peer's
 * block in peer order, [Σ_k rows(k, i), dims[i]]; `rows(k, i)` is how many rows of table i
 * peer k's block holds.
 */
export function fromPeerBlocks(
  scope: Scope, flat: Tensor, dims: readonly number[], peers: number, rows: (peer: number, table: number) => number,
): Tensor[] {
  return scope.run(() => noGrad(() => {
    const segs: Tensor[][] = dims.map(() => []);
    const total = dims.map(() => 0);
    let at = 0;
    for (let k = 0; k < peers; k++) {
      dims.forEach((dim, i) => {
        const n = rows(k, i);
        if (n > 0) segs[i]!.push(slice(flat, 0, at, at + n * dim));
        total[i]! += n;
        at += n * dim;
      });
    }
    return dims.map((dim, i) => {
      const s = segs[i]!;
      if (s.length === 0) return empty([0, dim], { dtype: "float32", device: flat.device });
      return reshape(s.length === 1 ? s[0]! : concat(s, 0), [total[i]!, dim]);
    });
  }));
}
