import { DTypeCode } from "./native/AddonTypes.js";

/** Element types of a tensor. */
export type DType = "float32" | "float64" | "int32" | "int64";

export type TypedArrayOf<D extends DType> = D extends "float32"
  ? Float32Array
  : D extends "float64"
    ? Float64Array
    : D extends "int32"
      ? Int32Array
      : BigInt64Array;

export type AnyTypedArray = Float32Array | Float64Array | Int32Array | BigInt64Array;

export const DTYPES: readonly DType[] = ["float32", "float64", "int32", "int64"];

const CODES: Record<DType, DTypeCode> = {
  float32: DTypeCode.Float32,
  float64: DTypeCode.Float64,
  int32: DTypeCode.Int32,
  int64: DTypeCode.Int64,
};

export function dtypeCode(d: DType): DTypeCode {
  return CODES[d];
}

export function isFloat(d: DType): boolean {
  return d === "float32" || d === "float64";
}

export function isDType(x: unknown): x is DType {
  return typeof x === "string" && (DTYPES as readonly string[]).includes(x);
}

export function bytesPerElement(d: DType): number {
  return d === "float32" || d === "int32" ? 4 : 8;
}

/** Wraps an ArrayBuffer range as the typed array of `dtype`. */
export function typedArrayFor(d: DType, buf: ArrayBuffer, offset = 0, length?: number): AnyTypedArray {
  switch (d) {
    case "float32":
      return new Float32Array(buf, offset, length);
    case "float64":
      return new Float64Array(buf, offset, length);
    case "int32":
      return new Int32Array(buf, offset, length);
    case "int64":
      return new BigInt64Array(buf, offset, length);
  }
}

/** Typed arrays of one kind end to end in one new array of that kind (`make`, e.g. Int32Array). */
export function concatTypedArrays<A extends AnyTypedArray>(parts: readonly A[], make: new (length: number) => A): A {
  const out = new make(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    (out as { set(a: A, offset: number): void }).set(p, at);
    at += p.length;
  }
  return out;
}

/** The dtype a typed array holds, or undefined for other arrays. */
export function dtypeOfTypedArray(a: unknown): DType | undefined {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Int32Array) return "int32";
  if (a instanceof BigInt64Array) return "int64";
  return undefined;
}
