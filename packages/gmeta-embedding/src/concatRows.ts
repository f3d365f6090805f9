import { concatTypedArrays } from "@gmeta/tensor";

/** Int32 arrays end to end in one new array. */
export function concatInt32(parts: readonly Int32Array[]): Int32Array {
  return concatTypedArrays(parts, Int32Array);
}
