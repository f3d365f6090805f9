import { describe, expect, it } from "vitest";
import * as T from "../src/index.js";
import { devices, expectClose, randTensor, rng, toF64 } from "./helpers.js";

// pairDot against the composition it replaces in DLRM (Z·Zᵀ, then the pairs' entries), in
// float64, on fresh random inputs: values, gradients and gradients of gradients.
function composed(x: T.Tensor, y: T.Tensor, i: number[], j: number[]): T.Tensor {
  const [B, Fx] = x.shape as [number, number];
  const Fy = y.shape[1]!;
  const all = T.reshape(T.matmul(x, y, { transB: true }), [B, Fx * Fy]);
  const idx = T.tensor(Int32Array.from(i.map((a, p) => a * Fy + j[p]!)), { dtype: "int32", device: x.device });
  return T.transpose(T.gatherRows(T.transpose(all), idx));
}

function randomPairs(r: ReturnType<typeof rng>, fx: number, fy: number, n: number) {
  const i: number[] = [];
  const j: number[] = [];
  for (let p = 0; p < n; p++) {
    i.push(Math.floor(r.next() * fx));
    j.push(Math.floor(r.next() * fy));
  }
  return { i, j };
}

describe("pairDot (the DLRM interaction kernel)", () => {
  for (const device of devices()) {
    it(`${device}: values and first and second derivatives equal the matmul composition`, () => {
      const r = rng();
      for (const [B, Fx, Fy, D, P, self] of [[5, 4, 4, 16, 6, true], [3, 3, 5, 7, 9, false], [1, 1, 1, 1, 1, true], [4, 6, 6, 9, 0, true], [2, 2, 3, 20, 5, false]] as const) {
        T.tidy(() => {
          const tri = { i: [] as number[], j: [] as number[] };
          if (self) for (let a = 0; a < Fx; a++) for (let b = a + 1; b < Fx; b++) { tri.i.push(a); tri.j.push(b); }
          const pairs = self ? tri : randomPairs(r, Fx, Fy, P);
          const x = T.cast(randTensor(r, [B, Fx, D], "float64", device).t, "float64");
          const y = self ? x : randTensor(r, [B, Fy, D], "float64", device).t;
          const w = randTensor(r, [B, pairs.i.length], "float64", device).t;
          const what = `${device} B${B} Fx${Fx} Fy${Fy} D${D} P${pairs.i.length} self=${self}`;
          const leaves = self ? [x] : [x, y];
          for (const t of leaves) t.requiresGrad = true;
          const run = (f: (a: T.Tensor, b: T.Tensor) => T.Tensor) => {
            const out = f(x, y);
            const loss = T.sum(T.mul(T.square(out), w));
            const g1 = T.grad([loss], leaves, { createGraph: true });
            // A second derivative along a fixed direction, as MAML's meta-gradient takes one.
            const s = g1.reduce((acc, g) => T.add(acc, T.sum(T.mul(g, g))), T.zeros([], { dtype: "float64", device }));
            const g2 = T.grad([s], leaves);
            return [out, ...g1, ...g2];
          };
          const mine = run((a, b) => T.pairDot(a, b, pairs));
          const ref = run((a, b) => composed(a, b, pairs.i, pairs.j));
          mine.forEach((m, k) => expectClose(toF64(m), toF64(ref[k]!), 1e-12, 1e-10, `${what} output ${k}`));
        });
      }
    });
  }

  it("float32 matches float64 within rounding", () => {
    const r = rng();
    T.tidy(() => {
      const a = randTensor(r, [64, 4, 16], "float32");
      const out = T.pairDot(a.t, a.t, { i: [0, 0, 0, 1, 1, 2], j: [1, 2, 3, 2, 3, 3] });
      const ref = T.pairDot(T.tensor(a.ref, { shape: [64, 4, 16], dtype: "float64" }), T.tensor(a.ref, { shape: [64, 4, 16], dtype: "float64" }), { i: [0, 0, 0, 1, 1, 2], j: [1, 2, 3, 2, 3, 3] });
      expectClose(toF64(out), toF64(ref), 1e-5, 1e-5, "float32");
    });
  });

  it("rejects bad shapes and pairs with errors that name them", () => {
    T.tidy(() => {
      const x = T.zeros([2, 3, 4]);
      expect(() => T.pairDot(x, x, { i: [0, 3], j: [1, 2] })).toThrow(/pairDot: expected an integer in \[0, 3\).*pairs\.i\[1\].*got 3/);
      expect(() => T.pairDot(x, x, { i: [0], j: [1, 2] })).toThrow(/pairs\.j/);
      expect(() => T.pairDot(x, T.zeros([2, 3, 5]), { i: [0], j: [1] })).toThrow(/pairDot: expected shape \[2, \*, 4\].*for y/);
      expect(() => T.pairDot(T.zeros([6, 4]), x, { i: [0], j: [1] })).toThrow(/\[batch, features, dim\]/);
      expect(() => T.pairDot(x, x, { i: [0.5], j: [1] })).toThrow(/pairs\.i\[0\]/);
    });
  });
});
