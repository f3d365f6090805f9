// Host-array helpers the other packages share (collectives' host buffers, embedding's routes,
// the CLI's prediction input, seeded test data).
import { describe, expect, it } from "vitest";
import { concatTypedArrays, dtypeOfTypedArray, mulberry32, typedArrayFor } from "../src/index.js";

describe("host arrays", () => {
  it("concatTypedArrays puts the parts end to end in a new array of the given kind", () => {
    const a = Int32Array.from([1, 2]);
    const out = concatTypedArrays([a, new Int32Array(0), Int32Array.from([3])], Int32Array);
    expect(out).toBeInstanceOf(Int32Array);
    expect([...out]).toEqual([1, 2, 3]);
    expect(out.buffer).not.toBe(a.buffer);
    expect([...concatTypedArrays([BigInt64Array.from([5n]), BigInt64Array.from([-1n, 7n])], BigInt64Array)]).toEqual([5n, -1n, 7n]);
    expect(concatTypedArrays([], Float32Array).length).toBe(0);
  });

  it("typedArrayFor and dtypeOfTypedArray agree for every dtype", () => {
    for (const d of ["float32", "float64", "int32", "int64"] as const) {
      const t = typedArrayFor(d, new ArrayBuffer(16), 0, 2);
      expect(t.length).toBe(2);
      expect(dtypeOfTypedArray(t)).toBe(d);
    }
    expect(dtypeOfTypedArray(new Uint8Array(2))).toBeUndefined();
  });

  it("mulberry32 repeats its sequence for a seed and differs across seeds", () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(mulberry32(43)()).not.toBe(xs[0]);
  });
});
