import { describe, expect, it } from "vitest";

import { EmbeddingTable, resolveOptimizer, sparseUpdate } from "../src/index.js";
import type { SparseOptimizerConfig } from "../src/index.js";
import { addon } from "../src/native/binding.js";
import { refStep, refTable, worstRatio } from "./helpers/referenceOptimizer.js";

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const CONFIGS: SparseOptimizerConfig[] = [
  { kind: "sgd", lr: 0.1 },
  { kind: "adagrad", lr: 0.05, initialAccumulator: 0.1 },
  { kind: "adagrad", lr: 0.05, rowWise: true, eps: 1e-6 },
  { kind: "adam", lr: 0.01 },
];

describe("fused sparse optimizers (native) against a float64 reference", () => {
  for (const cfg of CONFIGS) {
    it(`${cfg.kind}${"rowWise" in cfg && cfg.rowWise ? " (row-wise)" : ""}: 5 steps with duplicate ids`, () => {
      const rand = lcg(7);
      const rows = 40;
      const dim = 8;
      const t = new EmbeddingTable({ name: "t", rows, dim, seed: 3, optimizer: cfg });
      const opt = resolveOptimizer("test", cfg);
      const ref = refTable(t.weights, dim, opt);
      for (let s = 0; s < 5; s++) {
        const n = 30;
        const ids = BigInt64Array.from({ length: n }, () => BigInt(Math.floor(rand() * rand() * rows)));
        const grads = Float32Array.from({ length: n * dim }, () => rand() * 2 - 1);
        t.applyGradients(ids, grads);
        refStep(ref, opt, Array.from(ids, Number), grads);
      }
      expect(t.step).toBe(5);
      expect(worstRatio(t.weights, ref.w, 1e-6, 1e-5)).toBeLessThanOrEqual(1);
      for (const k of Object.keys(ref.state)) expect(worstRatio(t.state[k]!, ref.state[k]!, 1e-6, 1e-5)).toBeLessThanOrEqual(1);
    });
  }

  it("leaves untouched rows (and their state) alone: lazy updates", () => {
    const t = new EmbeddingTable({ name: "t", rows: 6, dim: 2, seed: 1, optimizer: { kind: "adam", lr: 0.1 } });
    const before = t.weights.slice();
    t.applyGradients(new BigInt64Array([2n]), new Float32Array([1, -1]));
    for (const r of [0, 1, 3, 4, 5]) expect(Array.from(t.weights.subarray(r * 2, r * 2 + 2))).toEqual(Array.from(before.subarray(r * 2, r * 2 + 2)));
    expect(Array.from(t.state.m!.subarray(0, 4))).toEqual([0, 0, 0, 0]);
  });

  it("validates every argument in TypeScript before native code runs", () => {
    const opt = resolveOptimizer("t", { kind: "adam", lr: 0.1 });
    const w = new Float32Array(8);
    const base = { weights: w, dim: 2, index: new Int32Array([1]), grads: new Float32Array(2), state: { m: new Float32Array(8), v: new Float32Array(8) }, step: 1 };
    expect(() => sparseUpdate(opt, { ...base, grads: new Float32Array(3) })).toThrow(/sparseUpdate\(adam\): expected length 2 for grads, got 3/);
    expect(() => sparseUpdate(opt, { ...base, state: { m: new Float32Array(8) } })).toThrow(/state.v/);
    expect(() => sparseUpdate(opt, { ...base, index: new Int32Array([4]) })).toThrow(/expected rows in \[0, 4\) for index, got 4 at position 0/);
    expect(() => sparseUpdate(opt, { ...base, step: 0 })).toThrow(/step/);
    expect(() => sparseUpdate(opt, { ...base, weights: new Float32Array(7) })).toThrow(/weights/);
    expect(() => resolveOptimizer("x", { kind: "adam", lr: -1 })).toThrow(/x: expected a finite lr >= 0 for optimizer.lr, got number -1/);
    expect(() => resolveOptimizer("x", { kind: "adam", lr: 1, beta1: 1 })).toThrow(/optimizer.beta1/);
  });

  it("native code turns wrong calls into errors, never crashes", () => {
    const f = new Float32Array(4);
    expect(() => addon.sparseSgd(f, 2, new Int32Array([0]), new Float32Array(3), 1)).toThrow(/expected length 2 for grads/);
    expect(() => addon.sparseSgd(f, 0, new Int32Array([0]), new Float32Array(0), 1)).toThrow(/positive integer for dim/);
    expect(() => addon.sparseSgd(new Float64Array(4) as never, 2, new Int32Array(0), new Float32Array(0), 1)).toThrow(/Float32Array for weights/);
    expect(addon.sparseSgd(f, 2, new Int32Array([-1]), new Float32Array(2), 1)).toBe(0);
    expect(() => addon.sparseSgd(f, 3, new Int32Array(0), new Float32Array(0), 1)).toThrow("sparseSgd: expected a length divisible by dim (3) for weights, got 4");
    expect(() => addon.uniqueInverse(new Int32Array([-1]), new Int32Array(1), new Int32Array(1))).toThrow(/non-negative/);
    expect(() => addon.mapIds(new BigInt64Array(1), 2 ** 31, false, new Int32Array(1))).toThrow(/rows <= 2\^31 - 1/);
  });

  it("dedups with unique in first-occurrence order and an inverse", () => {
    const rows = new Int32Array([5, 3, 5, 9, 3, 3]);
    const u = new Int32Array(6);
    const inv = new Int32Array(6);
    const n = addon.uniqueInverse(rows, u, inv);
    expect(Array.from(u.subarray(0, n))).toEqual([5, 3, 9]);
    expect(Array.from(inv)).toEqual([0, 1, 0, 2, 1, 1]);
  });
});
