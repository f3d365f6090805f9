/** Element types a process group moves; the same names as @gmeta/tensor's DType. */
export type DType = "float32" | "float64" | "int32" | "int64";

/** Host memory a collective reads or writes: the typed array of one DType. */
export type HostArray = Float32Array | Float64Array | Int32Array | BigInt64Array;

/** Codes shared with native/core/dtype.h. */
export const DTYPE_CODE: Readonly<Record<DType, number>> = {
  float32: 0,
  float64: 1,
  int32: 2,
  int64: 3,
};

/** The DType of a typed array, or undefined for a type the collectives do not move. */
export function dtypeOfArray(a: unknown): DType | undefined {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Int32Array) return "int32";
  if (a instanceof BigInt64Array) return "int64";
  return undefined;
}

/** A zero-filled typed array of n elements of dtype. */
export function allocArray(dtype: DType, n: number): HostArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(n);
    case "float64":
      return new Float64Array(n);
    case "int32":
      return new Int32Array(n);
    case "int64":
      return new BigInt64Array(n);
  }
}

const BYTES: Readonly<Record<DType, number>> = { float32: 4, float64: 8, int32: 4, int64: 8 };

/**
 * An uninitialised typed array, for receive buffers a collective overwrites entirely. A
 * zero-filled one comes from calloc as fresh pages, and faulting them in cost as much as the
 * transfer itself at 1M floats; malloc'd memory (allocUnsafeSlow) is reused warm.
 */
export function allocUninitialized(dtype: DType, n: number): HostArray {
  const buf = Buffer.allocUnsafeSlow(n * BYTES[dtype]).buffer;
  switch (dtype) {
    case "float32":
      return new Float32Array(buf, 0, n);
    case "float64":
      return new Float64Array(buf, 0, n);
    case "int32":
      return new Int32Array(buf, 0, n);
    case "int64":
      return new BigInt64Array(buf, 0, n);
  }
}
