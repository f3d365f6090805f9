import type { SampleBlock } from "@gmeta/io";

/**
 * One block (support or query) of a meta-batch laid out for batched computation over tasks:
 * task t's samples occupy rows t·width … t·width + n_t − 1; the rest is padding (mask 0).
 */
export interface TaskBlock {
  tasks: number;
  /** Padded samples per task (the largest task). */
  width: number;
  /** [tasks·width] 1 for a real sample, 0 for padding. */
  mask: Float32Array;
  labels: Float32Array;
  /** [tasks·width·denseDim]. */
  dense: Float32Array;
  denseDim: number;
  /** Per slot: ids of each padded row (padding rows have none). */
  slots: { ids: BigInt64Array; offsets: Int32Array }[];
  /** Real samples per task. */
  counts: Int32Array;
  /** Padded row → sample index in the source block (−1 for padding). */
  source: Int32Array;
}

/** Pads a loader block to [tasks, width] so every task runs in one batched GEMM. */
export function padBlock(block: SampleBlock, denseDim: number): TaskBlock {
  if (block.dense.length !== block.size * denseDim) {
    throw new Error(`padBlock: expected ${block.size} × ${denseDim} dense values (the model's width) for block.dense, got ${block.dense.length}`);
  }
  const T = block.taskOffsets.length - 1;
  const counts = new Int32Array(T);
  let width = 0;
  for (let t = 0; t < T; t++) {
    counts[t] = block.taskOffsets[t + 1]! - block.taskOffsets[t]!;
    width = Math.max(width, counts[t]!);
  }
  const rows = T * width;
  const mask = new Float32Array(rows);
  const labels = new Float32Array(rows);
  const dense = new Float32Array(rows * denseDim);
  const source = new Int32Array(rows).fill(-1);
  const srcDense = block.dense;
  const srcLabels = block.labels;
  for (let t = 0; t < T; t++) {
    const start = block.taskOffsets[t]!;
    // A task's samples are contiguous in the source and in the padded block.
    const n = counts[t]!;
    const r0 = t * width;
    for (let j = 0; j < n; j++) {
      source[r0 + j] = start + j;
      mask[r0 + j] = 1;
      labels[r0 + j] = srcLabels[start + j]!;
    }
    const from = start * denseDim;
    const to = r0 * denseDim;
    for (let e = 0; e < n * denseDim; e++) dense[to + e] = srcDense[from + e]!;
  }
  const slots = block.slots.map((slot) => {
    const offsets = new Int32Array(rows + 1);
    const so = slot.offsets;
    let n = 0;
    for (let r = 0; r < rows; r++) {
      const s = source[r]!;
      if (s >= 0) n += so[s + 1]! - so[s]!;
      offsets[r + 1] = n;
    }
    const ids = new BigInt64Array(n);
    // Copied as 32-bit word pairs: no BigInt per id.
    const dst = new Int32Array(ids.buffer, 0, 2 * n);
    const src = new Int32Array(slot.ids.buffer, slot.ids.byteOffset, 2 * slot.ids.length);
    for (let r = 0; r < rows; r++) {
      const s = source[r]!;
      if (s < 0) continue;
      const a = 2 * so[s]!;
      const len = 2 * (so[s + 1]! - so[s]!);
      const at = 2 * offsets[r]!;
      for (let e = 0; e < len; e++) dst[at + e] = src[a + e]!;
    }
    return { ids, offsets };
  });
  return { tasks: T, width, mask, labels, dense, denseDim, slots, counts, source };
}
