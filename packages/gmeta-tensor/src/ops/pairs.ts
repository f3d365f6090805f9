import { record } from "../autograd/record.js";
import { argError, fmtShape } from "../errors.js";
import { addon } from "../native/binding.js";
import { Tensor } from "../Tensor.js";
import { checkFloat, checkSameKind, checkTensor } from "./check.js";
import { concat } from "./shapeOps.js";

/** Pairs of feature indices: pair p is (i[p], j[p]). */
export interface FeaturePairs {
  i: readonly number[];
  j: readonly number[];
}

function checkFeatures(op: string, name: string, x: Tensor): [number, number, number] {
  checkTensor(op, name, x);
  checkFloat(op, name, x);
  if (x.rank !== 3) throw argError(op, "a tensor [batch, features, dim]", name, `shape ${fmtShape(x.shape)}`);
  return x.shape as [number, number, number];
}

function checkIndices(op: string, name: string, v: readonly number[], n: number, what: string): number[] {
  if (!Array.isArray(v)) throw argError(op, "an array of integers", name, String(v));
  v.forEach((k, p) => {
    if (!Number.isInteger(k) || k < 0 || k >= n) throw argError(op, `an integer in [0, ${n}) (${what})`, `${name}[${p}]`, String(k));
  });
  return v.slice();
}

/**
 * Dot products of chosen pairs of feature vectors per sample, the DLRM interaction in one
 * kernel: out[b, p] = <x[b, i[p], :], y[b, j[p], :]> for x [B, Fx, D] and y [B, Fy, D], out
 * [B, P]. Pass the same tensor twice for a self-interaction (the upper triangle of Z·Zᵀ with
 * i < j). Differentiable to any order.
 */
export function pairDot(x: Tensor, y: Tensor, pairs: FeaturePairs): Tensor {
  const op = "pairDot";
  const [B, Fx, D] = checkFeatures(op, "x", x);
  const [By, Fy, Dy] = checkFeatures(op, "y", y);
  checkSameKind(op, x, y, ["x", "y"]);
  if (By !== B || Dy !== D) throw argError(op, `shape [${B}, *, ${D}] (like x)`, "y", fmtShape(y.shape));
  if (typeof pairs !== "object" || pairs === null) throw argError(op, "{ i, j } arrays of feature indices", "pairs", String(pairs));
  const i = checkIndices(op, "pairs.i", pairs.i, Fx, "a feature of x");
  const j = checkIndices(op, "pairs.j", pairs.j, Fy, "a feature of y");
  if (i.length !== j.length) throw argError(op, `${i.length} entries (as many as pairs.i)`, "pairs.j", String(j.length));
  return dot(x, y, i, j);
}

function dot(x: Tensor, y: Tensor, i: number[], j: number[]): Tensor {
  const [B, Fx, D] = x.shape as [number, number, number];
  const Fy = y.shape[1]!;
  const out = Tensor.alloc([B, i.length], x.dtype, x.device);
  if (out.numel > 0) addon.pairDot(out.storage.native, x.storage.native, y.storage.native, B, Fx, Fy, D, i, j);
  return record(out, "pairDot", [x, y], (g) => {
    // A self-interaction's two gradients both land on x: one spread over the pairs taken both
    // ways (g repeated for the second half), instead of two spreads and their sum.
    if (x === y) return [x.requiresGrad ? spread(concat([g, g], 1), x, [...i, ...j], [...j, ...i], Fx) : null, null];
    return [x.requiresGrad ? spread(g, y, i, j, Fx) : null, y.requiresGrad ? spread(g, x, j, i, Fy) : null];
  });
}

/** out[b, f, :] = Σ over p with i[p] = f of g[b, p]·y[b, j[p], :], out [B, F, D]: pairDot's adjoint. */
function spread(g: Tensor, y: Tensor, i: number[], j: number[], F: number): Tensor {
  const [B, Fy, D] = y.shape as [number, number, number];
  const out = Tensor.alloc([B, F, D], y.dtype, y.device);
  if (out.numel > 0) addon.pairSpread(out.storage.native, g.storage.native, y.storage.native, B, F, Fy, D, i, j);
  return record(out, "pairSpread", [g, y], (h) => [
    g.requiresGrad ? dot(h, y, i, j) : null,
    y.requiresGrad ? spread(g, h, j, i, Fy) : null,
  ]);
}
