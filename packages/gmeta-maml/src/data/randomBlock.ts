import type { SampleBlock } from "@gmeta/io";

/** One slot of a random block: ids in [0, rows), skewed toward small ids. */
export interface RandomSlot {
  rows: number;
  /** At most this many ids per sample (a bag, possibly empty); undefined: exactly one id. */
  bag?: number;
}

/**
 * A random block of tasks of the given sizes, for model checks and tests: about 40% positive
 * labels, dense features in [-1, 1). The same `r` sequence gives the same block.
 */
export function randomBlock(r: () => number, sizes: readonly number[], denseDim: number, slots: readonly RandomSlot[]): SampleBlock {
  const n = sizes.reduce((a, b) => a + b, 0);
  const taskOffsets = new Int32Array(sizes.length + 1);
  sizes.forEach((s, i) => (taskOffsets[i + 1] = taskOffsets[i]! + s));
  const slotData = slots.map(({ rows, bag }) => {
    const offsets = new Int32Array(n + 1);
    const ids: bigint[] = [];
    for (let i = 0; i < n; i++) {
      const len = bag === undefined ? 1 : Math.floor(r() * (bag + 1));
      for (let j = 0; j < len; j++) ids.push(BigInt(Math.floor(r() ** 2 * rows)));
      offsets[i + 1] = ids.length;
    }
    return { ids: BigInt64Array.from(ids), offsets };
  });
  return {
    size: n,
    labels: Float32Array.from({ length: n }, () => (r() < 0.4 ? 1 : 0)),
    dense: Float32Array.from({ length: n * denseDim }, () => r() * 2 - 1),
    slots: slotData,
    taskOffsets,
  };
}
