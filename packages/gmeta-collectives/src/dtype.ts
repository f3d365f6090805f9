import { type AnyTypedArray, bytesPerElement, type DType, dtypeOfTypedArray, typedArrayFor } from "@gmeta/tensor";

/** Element types a process group moves: @gmeta/tensor's DType. */
export type { DType };

/** Host memory a collective reads or writes: the typed array of one DType. */
export type HostArray = AnyTypedArray;

/** Codes shared with native/core/dtype.h. */
export const DTYPE_CODE: Readonly<Record<DType, number>> = {
  float32: 0,
  float64: 1,
  int32: 2,
  int64: 3,
};

/** The DType of a typed array, or undefined for a type the collectives do not move. */
export const dtypeOfArray: (a: unknown) => DType | undefined = dtypeOfTypedArray;

/** A zero-filled typed array of n elements of dtype. */
export function allocArray(dtype: DType, n: number): HostArray {
  return typedArrayFor(dtype, new ArrayBuffer(n * bytesPerElement(dtype)), 0, n);
}

/**
 * An uninitialised typed array, for receive buffers a collective overwrites entirely. A
 * zero-filled one comes from calloc as fresh pages, and faulting them in cost as much as the
 * transfer itself at 1M floats; malloc'd memory (allocUnsafeSlow) is reused warm.
 */
export function allocUninitialized(dtype: DType, n: number): HostArray {
  return typedArrayFor(dtype, Buffer.allocUnsafeSlow(n * bytesPerElement(dtype)).buffer, 0, n);
}
