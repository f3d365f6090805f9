// A batch transform for the loader tests: per task, the sum of its support labels times a
// scale from the options; it fails on purpose on the batch the options name.
import type { BatchTransform, DecodedBatch, BatchPlace } from "../../src/index.js";

export function createBatchTransform(options: { scale: number; failOn?: number }): BatchTransform {
  return (batch: DecodedBatch, place: BatchPlace) => {
    if (place.index === options.failOn) throw new Error(`planted failure (scale ${options.scale})`);
    const o = batch.support.taskOffsets;
    const sums = new Float64Array(o.length - 1);
    for (let t = 0; t + 1 < o.length; t++) for (let i = o[t]!; i < o[t + 1]!; i++) sums[t]! += batch.support.labels[i]! * options.scale;
    // One array of its own, one view of the batch's buffer: both must arrive intact.
    return { place, sums, labels: batch.support.labels };
  };
}
