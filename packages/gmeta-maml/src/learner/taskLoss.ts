import type { Tensor } from "@gmeta/tensor";
import { bceWithLogits, div, mul, sum } from "@gmeta/tensor";
import type { BlockTensors } from "./StepInputs.js";

/** Per-task mean BCE over the real (unpadded) samples of a block: [T]. */
export function taskLosses(logits: Tensor, block: BlockTensors): Tensor {
  return div(sum(mul(bceWithLogits(logits, block.labels, "none"), block.mask), 1), block.divisors);
}
