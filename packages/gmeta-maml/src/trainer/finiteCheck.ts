import type { FlatGradients, Tensor } from "@gmeta/tensor";

/** A step whose loss or gradients hold NaN or an infinity; nothing of it was applied. */
export class NonFiniteError extends Error {
  override name = "NonFiniteError";
  constructor(
    readonly step: number,
    readonly tensor: string,
    detail: string,
  ) {
    super(`training stopped at step ${step}: ${tensor} ${detail}; no update of this step was applied and no checkpoint holds it (look for extreme values in the data, or lower the learning rates)`);
  }
}

/**
 * Throws before an update when the step's loss or any gradient is not finite, naming the step
 * and the tensor. Losses and dense gradients are the reduced ones, so every rank stops at the
 * same step; embedding gradients are this rank's.
 */
export function checkFiniteStep(step: number, losses: Record<string, number>, grads: Tensor[], names: readonly string[]): void {
  for (const [name, v] of Object.entries(losses)) if (!Number.isFinite(v)) throw new NonFiniteError(step, `the ${name}`, `is ${v}`);
  grads.forEach((g, i) => {
    const a = values(g);
    checkSpan(step, names[i] ?? `tensor ${i}`, a, 0, a.length);
  });
}

/** checkFiniteStep's gradient check over flat buffers: names[i] is the tensor at places[i]. */
export function checkFiniteFlat(step: number, flat: FlatGradients, names: readonly string[]): void {
  const views = flat.buffers.map(values);
  flat.places.forEach((pl, i) => checkSpan(step, names[i] ?? `tensor ${i}`, views[pl.bucket]!, pl.offset, pl.length));
}

/** A tensor's values; host tensors are read in place, since a copy per gradient per step would be garbage. */
function values(t: Tensor): Float32Array {
  return (t.device === "cpu" ? t.hostView() : t.toArray()) as Float32Array;
}

/** Throws naming the first element of a[offset, offset + length) that is not finite. */
function checkSpan(step: number, name: string, a: Float32Array, offset: number, length: number): void {
  for (let k = offset; k < offset + length; k++) {
    if (!Number.isFinite(a[k]!)) throw new NonFiniteError(step, `the gradient of ${name}`, `holds ${a[k]} at element ${k - offset} of ${length}`);
  }
}
