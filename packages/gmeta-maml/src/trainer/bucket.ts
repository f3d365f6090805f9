import type { Device, Tensor } from "@gmeta/tensor";
import { clone, concat, noGrad, reshape, slice, tensor, tidy, toDevice, untracked, zeros } from "@gmeta/tensor";

/** Dense gradients flattened into buckets of at most `bucketElems` floats (one AllReduce each). */
export interface Buckets {
  /** Flat float32 buffers on the process group's device, owned by the caller. */
  buffers: Tensor[];
  /** Where each gradient lives: bucket, offset, length. */
  places: { bucket: number; offset: number; length: number }[];
  /** Extra floats appended to the last bucket (loss sums and counts ride along for free). */
  extraOffset: number;
}

/** Where gradients of these sizes go in buckets of at most `bucketElems` floats, in order. */
export function bucketPlaces(numels: readonly number[], bucketElems: number): { places: Buckets["places"]; sizes: number[] } {
  const places: Buckets["places"] = [];
  const sizes: number[] = [0];
  for (const n of numels) {
    let b = sizes.length - 1;
    if (sizes[b]! > 0 && sizes[b]! + n > bucketElems) {
      sizes.push(0);
      b++;
    }
    places.push({ bucket: b, offset: sizes[b]!, length: n });
    sizes[b]! += n;
  }
  return { places, sizes };
}

/**
 * Packs gradients (float32, any device) and `extra` numbers into flat buckets on `device`
 * (where the process group reduces: the GPU for NCCL, the host for Gloo). Each bucket is
 * one concatenation there, so gradients on the same device never pass through the host.
 */
export function pack(grads: readonly Tensor[], extra: readonly number[], bucketElems: number, device: Device = "cpu"): Buckets {
  const { places, sizes } = bucketPlaces(grads.map((g) => g.numel), bucketElems);
  const last = sizes.length - 1;
  const extraOffset = sizes[last]!;
  // Each bucket's flat views and staged copies are freed by its tidy; the buffer is kept.
  const buffers = untracked(() => noGrad(() => sizes.map((_, b) => tidy(() => {
    const parts = grads.flatMap((g, i) => (places[i]!.bucket === b ? [reshape(toDevice(g, device), [g.numel])] : []));
    if (b === last && extra.length > 0) parts.push(tensor(Float32Array.from(extra), { device }));
    // A lone part is copied too: the reduction writes the buffer in place.
    if (parts.length === 0) return zeros([0], { device });
    return parts.length === 1 ? clone(parts[0]!) : concat(parts, 0);
  }))));
  return { buffers, places, extraOffset };
}

/** Gradients back out of reduced buckets, shaped like `like` and on its devices. */
export function unpack(b: Buckets, like: readonly Tensor[]): { grads: Tensor[]; extra: Float32Array } {
  return untracked(() => noGrad(() => {
    const grads = like.map((g, i) => {
      const p = b.places[i]!;
      const part = slice(b.buffers[p.bucket]!, 0, p.offset, p.offset + p.length);
      const shaped = reshape(part, g.shape.slice());
      part.dispose(); // the view keeps the storage
      const on = toDevice(shaped, g.device);
      if (on !== shaped) shaped.dispose();
      return on;
    });
    const lastBuf = b.buffers[b.buffers.length - 1]!;
    const tail = slice(lastBuf, 0, b.extraOffset, lastBuf.numel);
    const extra = tail.toArray() as Float32Array;
    tail.dispose();
    return { grads, extra };
  }));
}
