import type { DecodedBatch } from "./decodePool.js";
import type { SampleBlock } from "./metaBatch.js";

/**
 * A batch crosses threads as its one ArrayBuffer plus a flat list of (byte offset, length) per
 * array: posting the object graph of twenty-odd views costs far more than rebuilding them.
 */
export function batchLayout(b: DecodedBatch): Float64Array {
  const out: number[] = [b.taskKeys.byteOffset, b.taskKeys.length];
  for (const blk of [b.support, b.query]) {
    for (const a of [blk.labels, blk.dense, blk.taskOffsets]) out.push(a.byteOffset, a.length);
    for (const s of blk.slots) out.push(s.ids.byteOffset, s.ids.length, s.offsets.byteOffset, s.offsets.length);
  }
  return Float64Array.from(out);
}

/** Rebuilds the views of a batch from its buffer and layout. */
export function batchFromLayout(buffer: ArrayBuffer, layout: Float64Array, slotCount: number): DecodedBatch {
  let k = 0;
  const next = <A>(make: new (b: ArrayBuffer, off: number, len: number) => A): A => {
    const a = new make(buffer, layout[k]!, layout[k + 1]!);
    k += 2;
    return a;
  };
  const taskKeys = next(BigInt64Array);
  const block = (): SampleBlock => {
    const labels = next(Float32Array);
    const dense = next(Float32Array);
    const taskOffsets = next(Int32Array);
    const slots = [];
    for (let s = 0; s < slotCount; s++) slots.push({ ids: next(BigInt64Array), offsets: next(Int32Array) });
    return { size: labels.length, labels, dense, slots, taskOffsets };
  };
  const support = block();
  const query = block();
  return { taskKeys, support, query };
}
