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
  grads.forEach((g, i) => checkSpan(step, names[i] ?? `tensor ${i}`, g, 0, g.numel));
}

/** checkFiniteStep's gradient check over flat buffers: names[i] is the tensor at places[i]. */
export function checkFiniteFlat(step: number, flat: FlatGradients, names: readonly string[]): void {
  flat.places.forEach((pl, i) => checkSpan(step, names[i] ?? `tensor ${i}`, flat.buffers[pl.bucket]!, pl.offset, pl.length));
}

/** Throws naming the first element of t[offset, offset + length) that is not finite (host memory is scanned in place). */
function checkSpan(step: number, name: string, t: Tensor, offset: number, length: number): void {
  const k = t.firstNonFinite(offset, length);
  if (k < 0) return;
  const v = (t.device === "cpu" ? t.hostView() : t.toArray())[offset + k];
  throw new NonFiniteError(step, `the gradient of ${name}`, `holds ${v} at element ${k} of ${length}`);
}
