import { expect } from "vitest";
import type { Device, DType, Tensor } from "../src/index.js";
import { grad, info, mulberry32, tensor, tidy } from "../src/index.js";

/** Devices the conformance suite runs on: cpu always, cuda:0 where a GPU is usable. */
export function devices(): Device[] {
  const cuda = info().cuda;
  if (!cuda.available) {
    // Printed once per file so a CPU-only run says why the CUDA half did not run.
    console.info(`[gmeta-tensor tests] cuda: skipped (${cuda.reason})`);
    return ["cpu"];
  }
  return ["cpu", "cuda:0"];
}

/** A fresh seeded PRNG (mulberry32) per test, seeded from the clock unless given. */
export function rng(seed = (Date.now() ^ (Math.random() * 2 ** 31)) >>> 0): { next(): number; seed: number } {
  return { seed, next: mulberry32(seed) };
}

export type R = ReturnType<typeof rng>;

export function randArray(r: R, n: number, lo = -1, hi = 1): Float64Array {
  return Float64Array.from({ length: n }, () => lo + (hi - lo) * r.next());
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A random tensor plus its float64 values as the reference sees them (after rounding to dtype). */
export function randTensor(
  r: R, shape: number[], dtype: DType = "float32", device: Device = "cpu", lo = -1, hi = 1,
): { t: Tensor; ref: Float64Array } {
  const vals = randArray(r, numel(shape), lo, hi);
  const rounded = dtype === "float32" ? Float64Array.from(new Float32Array(vals)) : vals;
  return { t: tensor(vals, { shape, dtype, device }), ref: rounded };
}

export function toF64(t: Tensor): Float64Array {
  return Float64Array.from(t.toArray() as ArrayLike<number | bigint>, Number);
}

/**
 * Asserts |a − ref| <= atol + rtol·|ref| elementwise, and reports the largest difference.
 */
export function expectClose(actual: ArrayLike<number>, ref: ArrayLike<number>, atol: number, rtol: number, what = ""): number {
  expect(actual.length, `${what}: length`).toBe(ref.length);
  let worst = 0;
  let at = -1;
  let maxDiff = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(actual[i]! - ref[i]!);
    const tol = atol + rtol * Math.abs(ref[i]!);
    if (!(d <= tol) && (d / tol > worst || Number.isNaN(d))) {
      worst = Number.isNaN(d) ? Infinity : d / tol;
      at = i;
    }
    if (d > maxDiff) maxDiff = d;
  }
  if (at >= 0) {
    expect.fail(`${what}: element ${at} is ${actual[at]} but the reference is ${ref[at]} (|diff| ${Math.abs(actual[at]! - ref[at]!)}, tol ${atol} + ${rtol}·|ref|)`);
  }
  return maxDiff;
}

/** Tolerances per dtype for forward checks against a float64 reference. */
export function tol(dtype: DType): { atol: number; rtol: number } {
  return dtype === "float32" ? { atol: 1e-5, rtol: 1e-5 } : { atol: 1e-12, rtol: 1e-12 };
}

/** Row-major index helpers for references. */
export function strides(shape: readonly number[]): number[] {
  const st: number[] = new Array(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    st[i] = acc;
    acc *= shape[i]!;
  }
  return st;
}

export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    idx[k] = i % shape[k]!;
    i = Math.floor(i / shape[k]!);
  }
  return idx;
}

/** Float64 reference of broadcasting a binary function. */
export function refBroadcast(
  a: Float64Array, as: number[], b: Float64Array, bs: number[], f: (x: number, y: number) => number,
): { out: Float64Array; shape: number[] } {
  const n = Math.max(as.length, bs.length);
  const pa = [...Array(n - as.length).fill(1), ...as];
  const pb = [...Array(n - bs.length).fill(1), ...bs];
  const shape = pa.map((v, i) => (v === 1 ? pb[i]! : v));
  const sa = strides(pa);
  const sb = strides(pb);
  const out = new Float64Array(numel(shape));
  for (let i = 0; i < out.length; i++) {
    const idx = unravel(i, shape);
    let ia = 0;
    let ib = 0;
    idx.forEach((v, k) => {
      ia += (pa[k] === 1 ? 0 : v) * sa[k]!;
      ib += (pb[k] === 1 ? 0 : v) * sb[k]!;
    });
    out[i] = f(a[ia]!, b[ib]!);
  }
  return { out, shape };
}

/**
 * Checks the gradient of `f` (float64 inputs) against central finite differences, through
 * a random projection of the output. Returns the largest difference.
 */
export function gradcheck(f: (xs: Tensor[]) => Tensor, inputs: Tensor[], r: R, eps = 1e-6, atol = 1e-6, rtol = 1e-4): number {
  return tidy(() => {
    const out0 = f(inputs);
    const v = tensor(randArray(r, out0.numel), { shape: out0.shape.slice(), dtype: "float64" });
    // An output that does not depend on the inputs (the gradient of a linear op) has zero gradient.
    const analytic = out0.requiresGrad
      ? grad(out0, inputs, { gradOutputs: [v], allowUnused: true }).map(toF64)
      : inputs.map((x) => new Float64Array(x.numel));
    const vv = toF64(v);
    const proj = (): number => tidy(() => {
      const o = toF64(f(inputs));
      let s = 0;
      for (let i = 0; i < o.length; i++) s += o[i]! * vv[i]!;
      return s;
    });
    let worst = 0;
    inputs.forEach((x, k) => {
      const view = x.hostView() as Float64Array;
      const num = new Float64Array(x.numel);
      for (let i = 0; i < x.numel; i++) {
        const orig = view[i]!;
        view[i] = orig + eps;
        const up = proj();
        view[i] = orig - eps;
        const down = proj();
        view[i] = orig;
        num[i] = (up - down) / (2 * eps);
      }
      worst = Math.max(worst, expectClose(analytic[k]!, num, atol, rtol, `d/d input ${k}`));
    });
    return worst;
  });
}

/**
 * Second-order check: the gradient of ⟨grad(f)(x)·v, u⟩ with respect to x, against finite
 * differences of that first-order gradient (which must be built with createGraph).
 */
export function gradgradcheck(f: (xs: Tensor[]) => Tensor, inputs: Tensor[], r: R, eps = 1e-6, atol = 1e-5, rtol = 1e-4): number {
  const v = tidy(() => {
    const o = f(inputs);
    return randArray(r, o.numel);
  });
  const shapeOut = tidy(() => f(inputs).shape.slice());
  const us = inputs.map((x) => randArray(r, x.numel));
  const firstOrder = (xs: Tensor[]): Tensor => {
    const vt = tensor(v, { shape: shapeOut, dtype: "float64" });
    const gs = grad(f(xs), xs, { gradOutputs: [vt], createGraph: true, allowUnused: true });
    // ⟨g_k, u_k⟩ summed over inputs, as one scalar tensor.
    let acc: Tensor | null = null;
    gs.forEach((g, k) => {
      const u = tensor(us[k]!, { shape: g.shape.slice(), dtype: "float64" });
      const term = sumAll(mulT(g, u));
      acc = acc ? addT(acc, term) : term;
    });
    return acc!;
  };
  return gradcheck(firstOrder, inputs, r, eps, atol, rtol);
}

// Late-bound to avoid import cycles in the helper.
import { add as addT, mul as mulT, sum as sumAll } from "../src/index.js";

/** Float64 leaves that require grad, with fresh random values. */
export function leaves(r: R, shapes: number[][], lo = -1, hi = 1): Tensor[] {
  return shapes.map((s) => tensor(randArray(r, numel(s), lo, hi), { shape: s, dtype: "float64", requiresGrad: true }));
}
