import type { Tensor } from "@gmeta/tensor";
import { bceWithLogits, div, mul, sum, tensor } from "@gmeta/tensor";
import type { TaskBlock } from "../data/TaskBlock.js";

/** Per-task mean BCE over the real (unpadded) samples of a block: [T]. */
export function taskLosses(logits: Tensor, block: TaskBlock): Tensor {
  const shape = [block.tasks, block.width];
  const device = logits.device;
  const y = tensor(block.labels, { shape, device });
  const m = tensor(block.mask, { shape, device });
  const counts = tensor(Float32Array.from(block.counts, (c) => Math.max(1, c)), { device });
  return div(sum(mul(bceWithLogits(logits, y, "none"), m), 1), counts);
}
