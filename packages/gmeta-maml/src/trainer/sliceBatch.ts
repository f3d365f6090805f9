import type { MetaBatch, SampleBlock } from "@gmeta/io";

/** Tasks [from, to) of a block, as a block of their own. */
function sliceBlock(blk: SampleBlock, from: number, to: number): SampleBlock {
  const a = blk.taskOffsets[from]!;
  const e = blk.taskOffsets[to]!;
  const D = blk.size ? blk.dense.length / blk.size : 0;
  return {
    size: e - a,
    labels: blk.labels.subarray(a, e),
    dense: blk.dense.subarray(a * D, e * D),
    slots: blk.slots.map((s) => ({
      ids: s.ids.subarray(s.offsets[a]!, s.offsets[e]!),
      offsets: Int32Array.from(s.offsets.subarray(a, e + 1), (o) => o - s.offsets[a]!),
    })),
    taskOffsets: Int32Array.from(blk.taskOffsets.subarray(from, to + 1), (o) => o - a),
  };
}

/** Tasks [from, to) of a meta-batch (one rank's share of a global batch, or one task). */
export function sliceTasks(b: Pick<MetaBatch, "support" | "query">, from: number, to: number): Pick<MetaBatch, "support" | "query"> {
  const T = b.support.taskOffsets.length - 1;
  if (!(Number.isInteger(from) && Number.isInteger(to) && 0 <= from && from <= to && to <= T)) {
    throw new Error(`sliceTasks: expected 0 <= from <= to <= ${T} for the task range, got [${from}, ${to})`);
  }
  return { support: sliceBlock(b.support, from, to), query: sliceBlock(b.query, from, to) };
}
