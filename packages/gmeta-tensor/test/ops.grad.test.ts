import { describe, expect, it } from "vitest";
import * as T from "../src/index.js";
import type { Tensor } from "../src/index.js";
import { gradcheck, gradgradcheck, leaves, rng } from "./helpers.js";

/** Each case: a function of float64 leaves, their shapes and the input range. */
type Case = [string, (xs: Tensor[]) => Tensor, number[][], number, number];

const idx = () => T.tensor([2, 0, 2, 1, 4], { dtype: "int64" });
const offs = () => T.tensor([0, 2, 2, 5], { dtype: "int32" });

const cases: Case[] = [
  ["add (broadcast)", ([a, b]) => T.add(a!, b!), [[3, 4], [4]], -1, 1],
  ["sub (broadcast)", ([a, b]) => T.sub(a!, b!), [[3, 1], [1, 4]], -1, 1],
  ["mul (broadcast)", ([a, b]) => T.mul(a!, b!), [[2, 3], [2, 1]], -1, 1],
  ["div", ([a, b]) => T.div(a!, b!), [[2, 3], [3]], 0.5, 2],
  ["pow", ([a, b]) => T.pow(a!, b!), [[5], [5]], 0.5, 2],
  ["maximum", ([a, b]) => T.maximum(a!, b!), [[6], [6]], -1, 1],
  ["minimum", ([a, b]) => T.minimum(a!, b!), [[6], [1]], -1, 1],
  ["where", ([a, b]) => T.where(T.tensor([1, 0, 1], { dtype: "float64", shape: [3, 1] }), a!, b!), [[3, 2], [2]], -1, 1],
  ["neg", ([a]) => T.neg(a!), [[4]], -1, 1],
  ["exp", ([a]) => T.exp(a!), [[4]], -1, 1],
  ["log", ([a]) => T.log(a!), [[4]], 0.5, 2],
  ["log1p", ([a]) => T.log1p(a!), [[4]], 0, 2],
  ["sigmoid", ([a]) => T.sigmoid(a!), [[5]], -3, 3],
  ["tanh", ([a]) => T.tanh(a!), [[5]], -2, 2],
  ["relu", ([a]) => T.relu(a!), [[6]], -1, 1],
  ["abs", ([a]) => T.abs(a!), [[6]], -1, 1],
  ["sqrt", ([a]) => T.sqrt(a!), [[4]], 0.5, 2],
  ["reciprocal", ([a]) => T.reciprocal(a!), [[4]], 0.5, 2],
  ["powScalar 3", ([a]) => T.powScalar(a!, 3), [[4]], -1, 1],
  ["affine", ([a]) => T.affine(a!, -1.5, 2), [[4]], -1, 1],
  ["clamp", ([a]) => T.clamp(a!, -0.3, 0.4), [[8]], -1, 1],
  ["softplus", ([a]) => T.softplus(a!), [[5]], -3, 3],
  ["sum axis", ([a]) => T.sum(a!, 1), [[3, 4]], -1, 1],
  ["sum all", ([a]) => T.sum(a!), [[3, 4]], -1, 1],
  ["mean axes", ([a]) => T.mean(a!, [0, 2], true), [[2, 3, 2]], -1, 1],
  ["max axis", ([a]) => T.max(a!, 0), [[4, 3]], -1, 1],
  ["min all", ([a]) => T.min(a!), [[4, 3]], -1, 1],
  ["reshape", ([a]) => T.mul(T.reshape(a!, [6, 2]), T.reshape(a!, [6, 2])), [[3, 4]], -1, 1],
  ["permute", ([a]) => T.exp(T.permute(a!, [2, 0, 1])), [[2, 3, 2]], -1, 1],
  ["transpose", ([a]) => T.sigmoid(T.transpose(a!)), [[3, 4]], -1, 1],
  ["expand", ([a]) => T.square(T.expand(a!, [2, 3, 4])), [[3, 1]], -1, 1],
  ["slice", ([a]) => T.square(T.slice(a!, 1, 1, 3)), [[3, 4]], -1, 1],
  ["concat", ([a, b]) => T.square(T.concat([a!, b!], 0)), [[2, 3], [1, 3]], -1, 1],
  ["stack", ([a, b]) => T.mul(T.stack([a!, b!], 1), T.stack([b!, a!], 1)), [[2, 3], [2, 3]], -1, 1],
  ["matmul", ([a, b]) => T.matmul(a!, b!), [[3, 4], [4, 2]], -1, 1],
  ["matmul transA transB", ([a, b]) => T.matmul(a!, b!, { transA: true, transB: true }), [[4, 3], [2, 4]], -1, 1],
  ["bmm", ([a, b]) => T.matmul(a!, b!), [[2, 3, 4], [2, 4, 2]], -1, 1],
  ["bmm transB", ([a, b]) => T.matmul(a!, b!, { transB: true }), [[2, 3, 4], [2, 2, 4]], -1, 1],
  ["bmm transA", ([a, b]) => T.matmul(a!, b!, { transA: true }), [[2, 4, 3], [2, 4, 2]], -1, 1],
  ["batched x shared (flattened)", ([a, b]) => T.matmul(a!, b!, { transB: true }), [[2, 3, 4], [2, 4]], -1, 1],
  ["shared x batched", ([a, b]) => T.matmul(a!, b!), [[3, 4], [2, 4, 2]], -1, 1],
  ["batched transA x shared", ([a, b]) => T.matmul(a!, b!, { transA: true }), [[2, 4, 3], [4, 2]], -1, 1],
  ["gatherRows", ([a]) => T.square(T.gatherRows(a!, idx())), [[5, 3]], -1, 1],
  ["indexAdd", ([a, b]) => T.square(T.indexAdd(a!, idx(), b!)), [[5, 2], [5, 2]], -1, 1],
  ["scatterAddRows", ([b]) => T.square(T.scatterAddRows(b!, idx(), 6)), [[5, 2]], -1, 1],
  ["segmentSum", ([a]) => T.square(T.segmentSum(a!, offs())), [[5, 3]], -1, 1],
  ["segmentMean (rows outside segments)", ([a]) => T.square(T.segmentMean(a!, T.tensor([1, 3, 4], { dtype: "int64" }))), [[6, 2]], -1, 1],
  ["embeddingBag sum (an empty bag, a repeated row)", ([a]) => T.square(T.embeddingBag(a!, idx(), offs())), [[5, 3]], -1, 1],
  ["embeddingBag mean", ([a]) => T.square(T.embeddingBag(a!, idx(), T.tensor([0, 3, 5], { dtype: "int64" }), "mean")), [[6, 2]], -1, 1],
  ["bceWithLogits", ([x, y]) => T.bceWithLogits(x!, y!), [[7], [7]], -2, 2],
  ["mse", ([x, y]) => T.mse(x!, y!), [[7], [7]], -2, 2],
  ["linear (per-task weights)", ([x, w, b]) => T.nn.linear(x!, w!, b!), [[2, 3, 4], [2, 5, 4], [2, 5]], -1, 1],
  ["mlp relu (bias and ReLU in the GEMM, rows of x flattened)", ([x, w1, b1, w2, b2]) => T.nn.mlp([{ w: w1!, b: b1! }, { w: w2!, b: b2! }], x!), [[2, 3, 4], [5, 4], [5], [2, 5], [2]], -1, 1],
  ["mlp relu (per-task weights)", ([x, w1, b1, w2, b2]) => T.nn.mlp([{ w: w1!, b: b1! }, { w: w2!, b: b2! }], x!), [[2, 3, 4], [2, 5, 4], [2, 5], [2, 2, 5], [2, 2]], -1, 1],
  ["mlp relu (per-task weights expanded from shared ones)", ([x, w1, b1, w2, b2]) => {
    const e = (p: Tensor) => T.expand(T.unsqueeze(p, 0), [2, ...p.shape]);
    return T.nn.mlp([{ w: e(w1!), b: e(b1!) }, { w: e(w2!), b: e(b2!) }], x!);
  }, [[2, 3, 4], [5, 4], [5], [2, 5], [2]], -1, 1],
  ["mlp", ([x, w1, b1, w2, b2]) => T.nn.mlp([{ w: w1!, b: b1! }, { w: w2!, b: b2! }], x!, { activation: "tanh" }), [[3, 4], [5, 4], [5], [2, 5], [2]], -1, 1],
];

describe("first and second derivatives against float64 finite differences", () => {
  it.each(cases)("%s", (name, f, shapes, lo, hi) => {
    const r = rng();
    const xs = leaves(r, shapes, lo, hi);
    const d1 = gradcheck(f, xs, r);
    const d2 = gradgradcheck(f, xs, r);
    // Largest |analytic − numeric| per order, for the log.
    console.info(`${name}: max diff d1 ${d1.toExponential(2)}, d2 ${d2.toExponential(2)} (seed ${r.seed})`);
    expect(Number.isFinite(d1) && Number.isFinite(d2)).toBe(true);
    for (const x of xs) x.dispose();
  });
});
