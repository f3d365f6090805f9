// Seeded inputs every rank can regenerate for every other rank, so each rank computes the
// expected result of a collective locally from all ranks' inputs.
import { mulberry32 } from "@gmeta/tensor";

import { allocArray, type DType, type HostArray } from "../../src/index.js";

/** mulberry32: small, fast, and the same on every rank. */
export const rng = mulberry32;

/** n seeded values of dtype for (rank, tag): floats in [-1, 1), integers in [-50, 50]. */
export function inputs(dtype: DType, n: number, rank: number, tag: number): HostArray {
  const r = rng(rank * 1_000_003 + tag * 7919 + 17);
  const out = allocArray(dtype, n);
  for (let i = 0; i < n; i++) {
    const v = r();
    if (out instanceof BigInt64Array) out[i] = BigInt(Math.floor(v * 101) - 50);
    else if (out instanceof Int32Array) out[i] = Math.floor(v * 101) - 50;
    else out[i] = v * 2 - 1;
  }
  return out;
}

/** Element i as a number (int64 values here are small). */
export const num = (a: HostArray, i: number): number => Number(a[i]);

/** Throws naming the first element outside atol + rtol·|expected|. */
export function assertClose(what: string, got: HostArray, want: ArrayLike<number>, dtype: DType): void {
  if (got.length !== want.length) throw new Error(`${what}: length ${got.length}, expected ${want.length}`);
  const [atol, rtol] = dtype === "float32" ? [1e-5, 1e-5] : dtype === "float64" ? [1e-12, 1e-12] : [0, 0];
  for (let i = 0; i < got.length; i++) {
    const g = num(got, i);
    const w = want[i]!;
    if (!(Math.abs(g - w) <= atol + rtol * Math.abs(w))) {
      throw new Error(`${what}: element ${i} is ${g}, expected ${w}`);
    }
  }
}
