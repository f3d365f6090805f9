import { describe, expect, it } from "vitest";
import * as T from "../src/index.js";

describe("seeded random", () => {
  it("the same seed gives the same numbers; draws advance the stream", () => {
    const a = T.randn([1000], { generator: new T.Generator(42) }).toArray() as Float32Array;
    const b = T.randn([1000], { generator: new T.Generator(42) }).toArray() as Float32Array;
    expect(Array.from(a)).toEqual(Array.from(b));
    const g = new T.Generator(42);
    const first = T.rand([10], { generator: g }).toArray() as Float32Array;
    const second = T.rand([10], { generator: g }).toArray() as Float32Array;
    expect(Array.from(first)).not.toEqual(Array.from(second));
    expect(g.offset).toBe(20n);
  });

  it("results do not depend on the thread count", () => {
    const n = T.getNumThreads();
    T.setNumThreads(1);
    const one = T.randn([300_001], { generator: new T.Generator(9) }).toArray() as Float32Array;
    const u1 = T.rand([300_001], { generator: new T.Generator(9), dtype: "float64" }).toArray() as Float32Array;
    T.setNumThreads(Math.max(2, n));
    const many = T.randn([300_001], { generator: new T.Generator(9) }).toArray() as Float32Array;
    const u2 = T.rand([300_001], { generator: new T.Generator(9), dtype: "float64" }).toArray() as Float32Array;
    T.setNumThreads(n);
    expect(Buffer.from(one.buffer).equals(Buffer.from(many.buffer))).toBe(true);
    expect(Buffer.from(u1.buffer).equals(Buffer.from(u2.buffer))).toBe(true);
  });

  it("a draw split in two equals one draw of the whole (counter-based)", () => {
    const whole = T.rand([100], { generator: new T.Generator(3) }).toArray() as Float32Array;
    const g = new T.Generator(3);
    const parts = [...T.rand([37], { generator: g }).toArray(), ...T.rand([63], { generator: g }).toArray()];
    expect(parts).toEqual(Array.from(whole));
  });

  it("moments and ranges are right", () => {
    const n = 400_000;
    const z = T.randn([n], { generator: new T.Generator(1), mean: 2, std: 3, dtype: "float64" }).toArray() as Float64Array;
    let s = 0;
    let s2 = 0;
    for (const v of z) {
      s += v;
      s2 += v * v;
    }
    const m = s / n;
    const sd = Math.sqrt(s2 / n - m * m);
    expect(Math.abs(m - 2)).toBeLessThan(0.03);
    expect(Math.abs(sd - 3)).toBeLessThan(0.03);
    const u = T.rand([n], { generator: new T.Generator(2), low: -1, high: 5 }).toArray() as Float32Array;
    let lo = Infinity;
    let hi = -Infinity;
    let su = 0;
    for (const v of u) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      su += v;
    }
    expect(lo).toBeGreaterThanOrEqual(-1);
    expect(hi).toBeLessThan(5);
    expect(Math.abs(su / n - 2)).toBeLessThan(0.02);
    const k = T.randint(3, 10, [n], { generator: new T.Generator(5) }).toArray() as BigInt64Array;
    const counts = new Map<bigint, number>();
    for (const v of k) counts.set(v, (counts.get(v) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([3n, 4n, 5n, 6n, 7n, 8n, 9n]);
    for (const c of counts.values()) expect(Math.abs(c / n - 1 / 7)).toBeLessThan(0.01);
    // A negative low: every value in [-2, 2) equally often (truncation must not bias 0).
    const neg = T.randint(-2, 2, [n], { generator: new T.Generator(6), dtype: "int32" }).toArray() as Int32Array;
    const c2 = new Map<number, number>();
    for (const v of neg) c2.set(v, (c2.get(v) ?? 0) + 1);
    expect([...c2.keys()].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1]);
    for (const c of c2.values()) expect(Math.abs(c / n - 1 / 4)).toBeLessThan(0.01);
  });
});
