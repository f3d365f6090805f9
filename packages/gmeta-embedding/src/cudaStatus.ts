import { addon } from "./native/binding.js";

/** Whether this package's CUDA kernels (fused sparse optimizers) were compiled, can run here, and why not. */
export function embeddingCudaStatus(): { compiled: boolean; usable: boolean; reason: string } {
  return addon.cudaStatus();
}
