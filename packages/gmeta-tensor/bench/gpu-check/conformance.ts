// The op conformance cases of the GPU check: each case builds its inputs on the CPU from a
// fresh seed, moves them to the device under test, runs there, and is compared with the same
// case run on the CPU. With device "cpu" (--dry-run) the harness checks itself.
import * as T from "../../src/index.js";
import type { Device, Tensor } from "../../src/index.js";

export interface CaseResult {
  name: string;
  ok: boolean;
  maxDiff: number;
  detail: string;
}

type Mk = (shape: number[], lo?: number, hi?: number, dtype?: "float32" | "float64") => Tensor;
type Case = { name: string; atol: number; rtol: number; run: (d: Device, mk: Mk, ix: (vals: number[], dtype?: "int32" | "int64") => Tensor) => Tensor[] };

const F = 1e-5;
const cases: Case[] = [
  { name: "fill f32 / i32 / i64", atol: 0, rtol: 0, run: (d) => [T.full([1000], 3.5, { device: d }), T.full([77], -4, { dtype: "int32", device: d }), T.full([5], 9, { dtype: "int64", device: d })] },
  { name: "cast f32→i32, f32→f64, i64→f32", atol: 0, rtol: 0, run: (_d, mk, ix) => [T.cast(mk([257], -50, 50), "int32"), T.cast(mk([257]), "float64"), T.cast(ix([1, -7, 1 << 20], "int64"), "float32")] },
  {
    name: "stridedCopy: transpose, permute, slice, expand, concat", atol: 0, rtol: 0,
    run: (_d, mk) => {
      const x = mk([6, 7, 5]);
      return [T.clone(T.transpose(x, 0, 2)), T.permute(x, [1, 2, 0]), T.slice(x, 1, 2, 6), T.clone(T.expand(mk([1, 7, 1]), [4, 7, 3])), T.concat([x, mk([2, 7, 5])], 0)];
    },
  },
  {
    name: "binary with broadcasting (f32)", atol: F, rtol: F,
    run: (_d, mk) => {
      const a = mk([16, 1, 33]);
      const b = mk([1, 9, 33], 0.5, 2);
      return [T.add(a, b), T.sub(a, b), T.mul(a, b), T.div(a, b), T.pow(b, a), T.maximum(a, b), T.minimum(a, b), T.eq(a, a), T.lt(a, b), T.ge(a, b)];
    },
  },
  { name: "binary f64 and int32", atol: 1e-12, rtol: 1e-12, run: (_d, mk, ix) => [T.mul(mk([50], -1, 1, "float64"), mk([50], -1, 1, "float64")), T.add(ix([1, 2, 3], "int32"), ix([10, 20, 30], "int32"))] },
  {
    name: "unary (f32)", atol: 2e-6, rtol: 2e-6,
    run: (_d, mk) => {
      const x = mk([4099], -6, 6);
      const p = mk([4099], 0.1, 5);
      return [T.neg(x), T.exp(x), T.log(p), T.sigmoid(x), T.tanh(x), T.relu(x), T.abs(x), T.sqrt(p), T.powScalar(p, 1.7), T.affine(x, 2, -1), T.sign(x), T.step(x), T.log1p(p), T.clamp(x, -1, 2), T.reciprocal(p)];
    },
  },
  { name: "where", atol: 0, rtol: 0, run: (_d, mk) => [T.where(T.gt(mk([8, 1, 6]), 0), mk([1, 5, 6]), mk([8, 5, 1]))] },
  {
    name: "reduce sum / mean / max / min", atol: 1e-4, rtol: 1e-5,
    run: (_d, mk) => {
      const x = mk([33, 65, 17]);
      const row = mk([3, 200_001]);
      return [T.sum(x, 0), T.mean(x, 1), T.max(x, 2), T.min(x, [0, 2]), T.sum(x), T.sum(row, 1), T.max(row, 1)];
    },
  },
  {
    name: "matmul / bmm (cuBLAS), transposes and broadcast", atol: 1e-4, rtol: 1e-4,
    run: (_d, mk) => [
      T.matmul(mk([64, 96]), mk([96, 48])),
      T.matmul(mk([96, 64]), mk([48, 96]), { transA: true, transB: true }),
      T.bmm(mk([8, 32, 16]), mk([8, 16, 24])),
      T.matmul(mk([8, 32, 16]), mk([16, 24])),
      T.matmul(mk([20, 30], -1, 1, "float64"), mk([30, 10], -1, 1, "float64")),
    ],
  },
  {
    name: "gatherRows / scatterAddRows / indexAdd (int32, int64 ids)", atol: 1e-5, rtol: 1e-5,
    run: (_d, mk, ix) => {
      const table = mk([50, 16]);
      const ids = Array.from({ length: 300 }, (_, i) => (i * 37) % 50);
      return [T.gatherRows(table, ix(ids, "int32")), T.gatherRows(table, ix(ids, "int64")), T.scatterAddRows(mk([300, 16]), ix(ids, "int64"), 50), T.indexAdd(table, ix([3, 3, 7], "int32"), mk([3, 16]))];
    },
  },
  {
    name: "segmentSum / segmentMean", atol: 1e-6, rtol: 1e-6,
    run: (_d, mk, ix) => {
      const src = mk([40, 8]);
      return [T.segmentSum(src, ix([0, 3, 3, 17, 40], "int32")), T.segmentMean(src, ix([2, 10, 11, 30], "int64"))];
    },
  },
  { name: "bceWithLogits", atol: 1e-6, rtol: 1e-5, run: (_d, mk) => [T.bceWithLogits(mk([1000], -30, 30), T.step(mk([1000])), "none")] },
  {
    name: "rand (bitwise) and randn", atol: 1e-6, rtol: 1e-6,
    run: (d) => [T.rand([10_000], { generator: new T.Generator(11), device: d }), T.randn([10_000], { generator: new T.Generator(12), device: d }), T.rand([100], { generator: new T.Generator(13), device: d, dtype: "float64" })],
  },
  {
    name: "Adam and SGD (momentum, nesterov) steps", atol: 1e-6, rtol: 1e-5,
    run: (_d, mk) => {
      const p1 = mk([300]);
      const p2 = mk([300]);
      const adam = new T.Adam([p1], { lr: 0.01, weightDecay: 0.1 });
      const sgd = new T.SGD([p2], { lr: 0.05, momentum: 0.9, nesterov: true });
      for (let s = 0; s < 3; s++) {
        adam.step([mk([300])]);
        sgd.step([mk([300])]);
      }
      return [p1, p2];
    },
  },
  {
    name: "second-order gradient through matmul, sigmoid, gather", atol: 1e-4, rtol: 1e-4,
    run: (_d, mk, ix) => {
      const w = mk([8, 4]).setRequiresGrad();
      const e = mk([10, 8]).setRequiresGrad();
      const x = T.gatherRows(e, ix([1, 4, 4, 9], "int32"));
      const loss = T.sum(T.sigmoid(T.matmul(x, w)));
      const [gw] = T.grad(loss, [w], { createGraph: true });
      const [ge, gw2] = T.grad(T.sum(T.mul(gw!, gw!)), [e, w]);
      return [loss, gw!, ge!, gw2!];
    },
  },
];

/** Runs every case on `device` and on the CPU from the same seeds; one result per case. */
export function runConformance(device: Device, seed: number): CaseResult[] {
  const out: CaseResult[] = [];
  for (const [k, c] of cases.entries()) {
    const runOn = (d: Device): Float64Array[] =>
      T.tidy(() => {
        let n = 0;
        const mk: Mk = (shape, lo = -1, hi = 1, dtype = "float32") =>
          T.rand(shape, { generator: new T.Generator(seed * 1000 + k * 50 + n++), low: lo, high: hi, dtype }).to(d);
        const ix = (vals: number[], dtype: "int32" | "int64" = "int32") => T.tensor(vals, { dtype }).to(d);
        return c.run(d, mk, ix).map((t) => Float64Array.from(t.toArray() as ArrayLike<number | bigint>, Number));
      });
    try {
      const want = runOn("cpu");
      const got = runOn(device);
      let maxDiff = 0;
      let detail = "";
      for (let i = 0; i < want.length; i++) {
        if (got[i]!.length !== want[i]!.length) detail ||= `output ${i}: length ${got[i]!.length} vs ${want[i]!.length}`;
        for (let j = 0; j < want[i]!.length; j++) {
          const a = got[i]![j]!;
          const b = want[i]![j]!;
          const diff = Math.abs(a - b);
          const bothNaN = Number.isNaN(a) && Number.isNaN(b);
          if (!bothNaN && diff > maxDiff) maxDiff = diff;
          if (!bothNaN && !(diff <= c.atol + c.rtol * Math.abs(b))) detail ||= `output ${i}[${j}]: ${a} vs CPU ${b}`;
        }
      }
      out.push({ name: c.name, ok: detail === "", maxDiff, detail });
    } catch (e) {
      out.push({ name: c.name, ok: false, maxDiff: NaN, detail: (e as Error).message.split("\n")[0]! });
    }
  }
  return out;
}
