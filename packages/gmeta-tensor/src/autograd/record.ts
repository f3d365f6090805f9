import type { Tensor } from "../Tensor.js";
import { isGradEnabled } from "./gradMode.js";

/** Whether an op on `inputs` must be recorded. */
export function needsGrad(inputs: readonly (Tensor | null | undefined)[]): boolean {
  if (!isGradEnabled()) return false;
  for (const t of inputs) if (t?.requiresGrad) return true;
  return false;
}

/**
 * Attaches the backward rule of an op to its output when recording is on and an input
 * requires gradients. `backward` must use differentiable ops so gradients of gradients work.
 */
export function record(
  out: Tensor,
  name: string,
  inputs: readonly Tensor[],
  backward: (grad: Tensor) => (Tensor | null)[],
): Tensor {
  if (needsGrad(inputs)) {
    out.requiresGrad = true;
    out.gradFn = { name, inputs, backward };
  }
  return out;
}
