import type { ResolvedOptimizer } from "../../src/optim/SparseOptimizer.js";

/** Float64 reference state of a whole table: plain loops, no dedup tricks. */
export interface RefTable {
  w: Float64Array;
  state: Record<string, Float64Array>;
  dim: number;
  step: number;
}

export function refTable(w: Float32Array, dim: number, opt: ResolvedOptimizer): RefTable {
  const rows = w.length / dim;
  const state: Record<string, Float64Array> = {};
  if (opt.kind === "adagrad") state.sum = new Float64Array(opt.rowWise ? rows : rows * dim).fill(opt.initialAccumulator);
  if (opt.kind === "adam") {
    state.m = new Float64Array(rows * dim);
    state.v = new Float64Array(rows * dim);
  }
  return { w: Float64Array.from(w), state, dim, step: 0 };
}

/** One step from per-id gradients (duplicates summed first), written from the textbook formulas. */
export function refStep(t: RefTable, opt: ResolvedOptimizer, rows: ArrayLike<number>, grads: Float32Array): void {
  const d = t.dim;
  t.step += 1;
  const summed = new Map<number, Float64Array>();
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const acc = summed.get(r) ?? new Float64Array(d);
    for (let j = 0; j < d; j++) acc[j]! += grads[i * d + j]!;
    summed.set(r, acc);
  }
  for (const [r, g] of summed) {
    for (let j = 0; j < d; j++) {
      const k = r * d + j;
      if (opt.kind === "sgd") t.w[k]! -= opt.lr * g[j]!;
      else if (opt.kind === "adagrad") {
        if (opt.rowWise) {
          if (j === 0) t.state.sum![r]! += g.reduce((a, x) => a + x * x, 0) / d;
          t.w[k]! -= (opt.lr * g[j]!) / (Math.sqrt(t.state.sum![r]!) + opt.eps);
        } else {
          t.state.sum![k]! += g[j]! * g[j]!;
          t.w[k]! -= (opt.lr * g[j]!) / (Math.sqrt(t.state.sum![k]!) + opt.eps);
        }
      } else {
        const m = (t.state.m![k] = opt.beta1 * t.state.m![k]! + (1 - opt.beta1) * g[j]!);
        const v = (t.state.v![k] = opt.beta2 * t.state.v![k]! + (1 - opt.beta2) * g[j]! * g[j]!);
        const mh = m / (1 - opt.beta1 ** t.step);
        const vh = v / (1 - opt.beta2 ** t.step);
        t.w[k]! -= (opt.lr * mh) / (Math.sqrt(vh) + opt.eps);
      }
    }
  }
}

/** Largest |a − b| / (atol + rtol·|b|); <= 1 passes. */
export function worstRatio(a: ArrayLike<number>, b: ArrayLike<number>, atol: number, rtol: number): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / (atol + rtol * Math.abs(b[i]!)));
  return worst;
}
