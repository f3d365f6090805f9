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
  for (let t = 0; t < T; t++) {
    const start = block.taskOffsets[t]!;
    for (let j = 0; j < counts[t]!; j++) {
      const r = t * width + j;
      const s = start + j;
      source[r] = s;
      mask[r] = 1;
      labels[r] = block.labels[s]!;
      dense.set(block.dense.subarray(s * denseDim, (s + 1) * denseDim), r * denseDim);
    }
  }
  const slots = block.slots.map((slot) => {
    const offsets = new Int32Array(rows + 1);
    let n = 0;
    for (let r = 0; r < rows; r++) {
      const s = source[r]!;
      if (s >= 0) n += slot.offsets[s + 1]! - slot.offsets[s]!;
      offsets[r + 1] = n;
    }
    const ids = new BigInt64Array(n);
    for (let r = 0; r < rows; r++) {
      const s = source[r]!;
      if (s >= 0) ids.set(slot.ids.subarray(slot.offsets[s]!, slot.offsets[s + 1]!), offsets[r]!);
    }
    return { ids, offsets };
  });
  return { tasks: T, width, mask, labels, dense, denseDim, slots, counts, source };
}
