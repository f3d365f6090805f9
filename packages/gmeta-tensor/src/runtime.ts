import { argError } from "./errors.js";
import type { AddonInfo } from "./native/AddonTypes.js";
import { addon } from "./native/binding.js";

/** Versions, BLAS, thread count, CUDA availability (with the reason when absent) and live bytes. */
export function info(): AddonInfo {
  return addon.info();
}

/** Sets the number of threads native kernels (and OpenBLAS) use. */
export function setNumThreads(n: number): void {
  if (!Number.isSafeInteger(n) || n < 1) throw argError("setNumThreads", "a positive integer", "n", String(n));
  addon.setNumThreads(n);
}

/** The number of threads native kernels use. */
export function getNumThreads(): number {
  return addon.getNumThreads();
}

/** Bytes held by live tensors, per device. */
export function memory(): Record<string, number> {
  return addon.info().allocatedBytes;
}

/** Returns host and device memory cached for reuse by freed tensors; the bytes released. */
export function releaseCachedMemory(): number {
  return addon.releaseHostCache() + addon.releaseDeviceCache();
}
