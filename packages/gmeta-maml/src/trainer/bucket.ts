import type { Tensor } from "@gmeta/tensor";
import { tensor } from "@gmeta/tensor";

/** Dense gradients flattened into buckets of at most `bucketElems` floats (one AllReduce each). */
export interface Buckets {
  buffers: Tensor[];
  /** Where each gradient lives: bucket, offset, length. */
  places: { bucket: number; offset: number; length: number }[];
  /** Extra floats appended to the last bucket (loss sums and counts ride along for free). */
  extraOffset: number;
}

/** Packs gradients (float32) and `extra` numbers into flat buckets. */
export function pack(grads: readonly Tensor[], extra: readonly number[], bucketElems: number): Buckets {
  const places: Buckets["places"] = [];
  const sizes: number[] = [0];
  for (const g of grads) {
    let b = sizes.length - 1;
    if (sizes[b]! > 0 && sizes[b]! + g.numel > bucketElems) {
      sizes.push(0);
      b++;
    }
    places.push({ bucket: b, offset: sizes[b]!, length: g.numel });
    sizes[b]! += g.numel;
  }
  const last = sizes.length - 1;
  const extraOffset = sizes[last]!;
  sizes[last]! += extra.length;
  const arrays = sizes.map((n) => new Float32Array(n));
  grads.forEach((g, i) => {
    const p = places[i]!;
    arrays[p.bucket]!.set(g.toArray() as Float32Array, p.offset);
  });
  arrays[last]!.set(extra, extraOffset);
  return { buffers: arrays.map((a) => tensor(a)), places, extraOffset };
}

/** Gradients back out of reduced buckets, shaped like `like`. */
export function unpack(b: Buckets, like: readonly Tensor[]): { grads: Tensor[]; extra: Float32Array } {
  const views = b.buffers.map((t) => t.hostView() as Float32Array);
  const grads = like.map((g, i) => {
    const p = b.places[i]!;
    return tensor(views[p.bucket]!.slice(p.offset, p.offset + p.length), { shape: g.shape.slice(), device: g.device });
  });
  const last = views[views.length - 1]!;
  return { grads, extra: last.slice(b.extraOffset) };
}
