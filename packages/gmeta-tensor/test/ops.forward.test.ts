import { describe, expect, it } from "vitest";
import * as T from "../src/index.js";
import type { DType, Tensor } from "../src/index.js";
import { devices, expectClose, numel, randTensor, refBroadcast, rng, strides, toF64, tol, unravel } from "./helpers.js";

const FLOATS: DType[] = ["float32", "float64"];

describe.each(devices())("forward on %s", (device) => {
  describe.each(FLOATS)("%s", (dtype) => {
    const { atol, rtol } = tol(dtype);

    const binaryCases: [string, (a: Tensor, b: Tensor) => Tensor, (x: number, y: number) => number, number, number][] = [
      ["add", T.add, (x, y) => x + y, -2, 2],
      ["sub", T.sub, (x, y) => x - y, -2, 2],
      ["mul", T.mul, (x, y) => x * y, -2, 2],
      ["div", T.div, (x, y) => x / y, 0.5, 2],
      ["pow", T.pow, (x, y) => x ** y, 0.5, 2],
      ["maximum", T.maximum, Math.max, -2, 2],
      ["minimum", T.minimum, Math.min, -2, 2],
      ["eq", T.eq, (x, y) => Number(x === y), -2, 2],
      ["lt", T.lt, (x, y) => Number(x < y), -2, 2],
      ["ge", T.ge, (x, y) => Number(x >= y), -2, 2],
    ];
    const shapePairs: [number[], number[]][] = [
      [[7], [7]],
      [[1], [5]],
      [[3, 1], [1, 4]],
      [[2, 3, 5], [5]],
      [[13, 1, 3], [1, 7, 1]],
      [[0, 3], [1, 3]],
      [[], [4, 2]],
      [[100003], [100003]],
    ];
    it.each(binaryCases)("%s broadcasts like the float64 reference", (_name, op, f, lo, hi) => {
      const r = rng();
      for (const [as, bs] of shapePairs) {
        T.tidy(() => {
          const a = randTensor(r, as, dtype, device, lo, hi);
          const b = randTensor(r, bs, dtype, device, lo, hi);
          const ref = refBroadcast(a.ref, as, b.ref, bs, f);
          const out = op(a.t, b.t);
          expect(out.shape).toEqual(ref.shape);
          expectClose(toF64(out), ref.out, atol, rtol * 4, `${_name} ${JSON.stringify([as, bs])} seed ${r.seed}`);
        });
      }
    });

    it("scalar operands use the same arithmetic", () => {
      const r = rng();
      T.tidy(() => {
        const a = randTensor(r, [5, 3], dtype, device);
        expectClose(toF64(T.add(a.t, 2.5)), a.ref.map((x) => x + 2.5), atol, rtol);
        expectClose(toF64(T.sub(1, a.t)), a.ref.map((x) => 1 - x), atol, rtol);
        expectClose(toF64(T.mul(a.t, -3)), a.ref.map((x) => x * -3), atol, rtol);
        expectClose(toF64(T.div(a.t, 4)), a.ref.map((x) => x / 4), atol, rtol);
      });
    });

    const unaryCases: [string, (x: Tensor) => Tensor, (x: number) => number, number, number][] = [
      ["neg", T.neg, (x) => -x, -3, 3],
      ["exp", T.exp, Math.exp, -3, 3],
      ["log", T.log, Math.log, 0.1, 3],
      ["log1p", T.log1p, Math.log1p, -0.5, 3],
      ["sigmoid", T.sigmoid, (x) => 1 / (1 + Math.exp(-x)), -8, 8],
      ["tanh", T.tanh, Math.tanh, -3, 3],
      ["relu", T.relu, (x) => Math.max(x, 0), -3, 3],
      ["abs", T.abs, Math.abs, -3, 3],
      ["sqrt", T.sqrt, Math.sqrt, 0.01, 3],
      ["reciprocal", T.reciprocal, (x) => 1 / x, 0.5, 3],
      ["sign", T.sign, Math.sign, -3, 3],
      ["step", T.step, (x) => (x > 0 ? 1 : 0), -3, 3],
      ["square", T.square, (x) => x * x, -3, 3],
      ["powScalar 1.5", (x) => T.powScalar(x, 1.5), (x) => x ** 1.5, 0.1, 3],
      ["affine", (x) => T.affine(x, -2, 0.5), (x) => -2 * x + 0.5, -3, 3],
      ["clamp", (x) => T.clamp(x, -0.5, 0.25), (x) => Math.min(Math.max(x, -0.5), 0.25), -1, 1],
      ["softplus", T.softplus, (x) => Math.log1p(Math.exp(x)), -5, 5],
    ];
    it.each(unaryCases)("%s matches the float64 reference", (name, op, f, lo, hi) => {
      const r = rng();
      for (const shape of [[1], [0], [17], [3, 5, 7], [65537]]) {
        T.tidy(() => {
          const a = randTensor(r, shape, dtype, device, lo, hi);
          const out = op(a.t);
          expect(out.shape).toEqual(shape);
          expectClose(toF64(out), a.ref.map(f), atol, rtol * 4, `${name} ${JSON.stringify(shape)} seed ${r.seed}`);
        });
      }
    });

    function refReduce(x: Float64Array, shape: number[], axes: number[], f: (acc: number[]) => number) {
      const outShape = shape.map((s, i) => (axes.includes(i) ? 1 : s));
      const groups: number[][] = Array.from({ length: numel(outShape) }, () => []);
      const so = strides(outShape);
      for (let i = 0; i < x.length; i++) {
        const idx = unravel(i, shape);
        let o = 0;
        idx.forEach((v, k) => (o += (axes.includes(k) ? 0 : v) * so[k]!));
        groups[o]!.push(x[i]!);
      }
      return { out: Float64Array.from(groups.map(f)), outShape };
    }
    const sumF = (g: number[]) => g.reduce((a, b) => a + b, 0);
    it.each([
      ["sum", T.sum, sumF],
      ["mean", T.mean, (g: number[]) => sumF(g) / g.length],
      ["max", T.max, (g: number[]) => Math.max(...g)],
      ["min", T.min, (g: number[]) => Math.min(...g)],
    ] as const)("%s over axes and over all", (name, op, f) => {
      const r = rng();
      const cases: [number[], number[] | undefined][] = [
        [[7], [0]], [[3, 5], [1]], [[3, 5], [0]], [[2, 3, 5], [1]], [[2, 3, 5], [0, 2]], [[4, 1, 3], undefined], [[1], undefined], [[257, 129], [0]],
      ];
      for (const [shape, axes] of cases) {
        T.tidy(() => {
          const a = randTensor(r, shape, dtype, device);
          const all = axes ?? shape.map((_, i) => i);
          const ref = refReduce(a.ref, shape, all, f);
          const keep = op(a.t, axes, true);
          expect(keep.shape).toEqual(ref.outShape);
          const rt = name === "sum" || name === "mean" ? rtol * 50 + (dtype === "float32" ? 1e-6 * Math.sqrt(a.t.numel) : 0) : rtol;
          expectClose(toF64(keep), ref.out, atol * 10, rt, `${name} ${JSON.stringify([shape, axes])}`);
          expect(op(a.t, axes).shape).toEqual(shape.filter((_, i) => !all.includes(i)));
        });
      }
    });

    it("sum over an empty axis is zero and mean of all works on 0-d", () => {
      T.tidy(() => {
        expect(T.sum(T.zeros([0, 3], { dtype, device }), 0).toList()).toEqual([0, 0, 0]);
        expect(T.mean(T.full([], 2.5, { dtype, device })).item()).toBe(2.5);
      });
    });

    function refMatmul(a: Float64Array, b: Float64Array, B: number, M: number, N: number, K: number, ta: boolean, tb: boolean, sa: number, sb: number) {
      const out = new Float64Array(B * M * N);
      for (let p = 0; p < B; p++)
        for (let i = 0; i < M; i++)
          for (let j = 0; j < N; j++) {
            let s = 0;
            for (let k = 0; k < K; k++) {
              const av = a[p * sa + (ta ? k * M + i : i * K + k)]!;
              const bv = b[p * sb + (tb ? j * K + k : k * N + j)]!;
              s += av * bv;
            }
            out[(p * M + i) * N + j] = s;
          }
      return out;
    }
    it("matmul: 2-D, batched, broadcast batch, every transpose, odd sizes", () => {
      const r = rng();
      const sizes: [number, number, number, number][] = [[1, 1, 1, 1], [1, 7, 5, 3], [3, 13, 1, 17], [4, 2, 31, 9], [1, 0, 3, 2], [2, 3, 4, 0], [1, 64, 33, 65],
        // The small-GEMM kernel's paths (shapes with a side under 4 or an output under 8 wide):
        // whole 8-column panels two at a time and one left, a ragged last panel, row blocks of
        // 4 and the rows left, dot products for narrow outputs (with a tail past 8 along K);
        // and OpenBLAS's side of the choice.
        [2, 3, 24, 12], [2, 2, 13, 9], [3, 21, 16, 3], [2, 4, 4, 16], [2, 6, 3, 20], [2, 5, 16, 12], [2, 16, 64, 64],
        // Spread over the pool: one large matrix (and a few) split by rows into uneven pieces;
        // a batch split by whole matrices.
        [1, 301, 40, 33], [3, 257, 64, 17], [9, 40, 40, 40]];
      for (const [B, M, N, K] of sizes)
        for (const ta of [false, true])
          for (const tb of [false, true])
            for (const mode of ["both", "a2d", "b2d"] as const) {
              if (B > 1 && mode !== "both" && M === 0) continue;
              T.tidy(() => {
                const a3 = mode !== "a2d";
                const b3 = mode !== "b2d";
                const ashape = ta ? [K, M] : [M, K];
                const bshape = tb ? [N, K] : [K, N];
                const a = randTensor(r, a3 ? [B, ...ashape] : ashape, dtype, device);
                const b = randTensor(r, b3 ? [B, ...bshape] : bshape, dtype, device);
                const out = T.matmul(a.t, b.t, { transA: ta, transB: tb });
                const batched = a3 || b3;
                const ref = refMatmul(a.ref, b.ref, batched ? B : 1, M, N, K, ta, tb, a3 ? M * K : 0, b3 ? K * N : 0);
                expect(out.shape).toEqual(batched ? [B, M, N] : [M, N]);
                expectClose(toF64(out), ref, atol * 10 * Math.max(1, K), rtol * 10, `matmul B${B} M${M} N${N} K${K} ta${ta} tb${tb} ${mode}`);
              });
            }
    });

    it("shape ops: reshape, permute, transpose, expand, slice, concat, stack, squeeze", () => {
      const r = rng();
      T.tidy(() => {
        const a = randTensor(r, [2, 3, 5], dtype, device);
        expect(Array.from(toF64(T.reshape(a.t, [5, -1])))).toEqual(Array.from(a.ref));
        expect(T.reshape(a.t, [5, -1]).shape).toEqual([5, 6]);
        const p = T.permute(a.t, [2, 0, 1]);
        expect(p.shape).toEqual([5, 2, 3]);
        const pv = toF64(p);
        for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 5; k++) expect(pv[k * 6 + i * 3 + j]).toBe(a.ref[i * 15 + j * 5 + k]);
        const t = toF64(T.transpose(a.t));
        for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 5; k++) expect(t[i * 15 + k * 3 + j]).toBe(a.ref[i * 15 + j * 5 + k]);
        const b = randTensor(r, [3, 1], dtype, device);
        const e = toF64(T.expand(b.t, [2, 3, 4]));
        for (let i = 0; i < 24; i++) expect(e[i]).toBe(b.ref[Math.floor(i / 4) % 3]);
        const s = toF64(T.slice(a.t, 2, 1, 4));
        for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) expect(s[i * 9 + j * 3 + k]).toBe(a.ref[i * 15 + j * 5 + k + 1]);
        expect(T.slice(a.t, 1, -1).shape).toEqual([2, 1, 5]);
        const c = randTensor(r, [2, 1, 5], dtype, device);
        const z = T.zeros([2, 0, 5], { dtype, device });
        const cat = T.concat([a.t, z, c.t], 1);
        expect(cat.shape).toEqual([2, 4, 5]);
        const cv = toF64(cat);
        for (let i = 0; i < 2; i++) for (let k = 0; k < 5; k++) {
          for (let j = 0; j < 3; j++) expect(cv[i * 20 + j * 5 + k]).toBe(a.ref[i * 15 + j * 5 + k]);
          expect(cv[i * 20 + 15 + k]).toBe(c.ref[i * 5 + k]);
        }
        const st = T.stack([b.t, b.t], 0);
        expect(st.shape).toEqual([2, 3, 1]);
        expect(T.squeeze(st).shape).toEqual([2, 3]);
        expect(T.unsqueeze(b.t, 0).shape).toEqual([1, 3, 1]);
      });
    });

    it("gatherRows, indexAdd, scatterAddRows with duplicates and both index dtypes", () => {
      const r = rng();
      for (const idt of ["int32", "int64"] as const) {
        for (const [rows, dim, n] of [[1, 1, 1], [7, 3, 11], [1000, 64, 4099], [5, 4, 0]] as const) {
          T.tidy(() => {
            const src = randTensor(r, [rows, dim], dtype, device);
            const ids = Array.from({ length: n }, () => Math.floor(r.next() * rows));
            const idx = T.tensor(ids, { dtype: idt, device });
            const g = T.gatherRows(src.t, idx);
            expect(g.shape).toEqual([n, dim]);
            const gv = toF64(g);
            ids.forEach((id, i) => {
              for (let d = 0; d < dim; d++) expect(gv[i * dim + d]).toBe(src.ref[id * dim + d]);
            });
            const upd = randTensor(r, [n, dim], dtype, device);
            const base = randTensor(r, [rows, dim], dtype, device);
            const ref = Float64Array.from(base.ref);
            ids.forEach((id, i) => {
              for (let d = 0; d < dim; d++) ref[id * dim + d]! += upd.ref[i * dim + d]!;
            });
            expectClose(toF64(T.indexAdd(base.t, idx, upd.t)), ref, atol * 10, rtol * 10, `indexAdd ${idt} ${rows}x${dim} n${n}`);
            const sc = T.scatterAddRows(upd.t, idx, rows);
            expect(sc.shape).toEqual([rows, dim]);
          });
        }
      }
    });

    it("segmentSum and segmentMean over offsets, with empty segments", () => {
      const r = rng();
      for (const idt of ["int32", "int64"] as const) {
        T.tidy(() => {
          const offsets = [0, 0, 3, 4, 4, 10];
          const src = randTensor(r, [10, 6], dtype, device);
          const off = T.tensor(offsets, { dtype: idt, device });
          const sum = toF64(T.segmentSum(src.t, off));
          const mean = toF64(T.segmentMean(src.t, off));
          for (let s = 0; s < 5; s++)
            for (let d = 0; d < 6; d++) {
              let acc = 0;
              for (let k = offsets[s]!; k < offsets[s + 1]!; k++) acc += src.ref[k * 6 + d]!;
              const cnt = offsets[s + 1]! - offsets[s]!;
              expect(sum[s * 6 + d]).toBeCloseTo(acc, dtype === "float32" ? 5 : 12);
              expect(mean[s * 6 + d]).toBeCloseTo(cnt ? acc / cnt : 0, dtype === "float32" ? 5 : 12);
            }
        });
      }
    });

    it("embeddingBag equals gatherRows then segment pooling, values and gradients, with empty bags", () => {
      const r = rng();
      for (const idt of ["int32", "int64"] as const) {
        for (const mode of ["sum", "mean"] as const) {
          T.tidy(() => {
            const rows = 7;
            const dim = 5;
            const offsets = [0, 0, 3, 4, 4, 10, 12];
            const ids = Array.from({ length: 12 }, () => Math.floor(r.next() * rows));
            const src = randTensor(r, [rows, dim], dtype, device);
            const leaf = T.detach(src.t).setRequiresGrad();
            const idx = T.tensor(ids, { dtype: idt, device });
            const off = T.tensor(offsets, { dtype: idt, device });
            const bag = T.embeddingBag(leaf, idx, off, mode);
            const picked = T.gatherRows(leaf, idx);
            const ref = mode === "mean" ? T.segmentMean(picked, off) : T.segmentSum(picked, off);
            expectClose(toF64(bag), toF64(ref), atol, rtol, `embeddingBag ${mode} ${idt}`);
            const w = randTensor(r, [offsets.length - 1, dim], dtype, device);
            const [g1] = T.grad(T.sum(T.mul(bag, w.t)), [leaf]);
            const [g2] = T.grad(T.sum(T.mul(ref, w.t)), [leaf]);
            expectClose(toF64(g1!), toF64(g2!), atol, rtol, `embeddingBag ${mode} ${idt} gradient`);
          });
        }
      }
    });

    it("linear with the bias and ReLU in the GEMM equals matmul, add and relu", () => {
      const r = rng();
      // [x shape, w shape, b shape]: small GEMMs, one OpenBLAS keeps (70 wide), per-task
      // weights, an empty inner dimension.
      const cases: [number[], number[], number[]][] = [[[5, 7], [3, 7], [3]], [[2, 150, 40], [70, 40], [70]], [[4, 6, 9], [4, 5, 9], [4, 5]], [[3, 0], [4, 0], [4]]];
      for (const [xs, ws, bs] of cases) {
        T.tidy(() => {
          const x = randTensor(r, xs, dtype, device).t;
          const w = randTensor(r, ws, dtype, device).t;
          const b = randTensor(r, bs, dtype, device).t;
          const pre = T.add(T.matmul(x, w, { transB: true }), ws.length === 3 ? T.unsqueeze(b, 1) : b);
          const what = `x ${JSON.stringify(xs)} w ${JSON.stringify(ws)}`;
          expectClose(toF64(T.nn.linear(x, w, b)), toF64(pre), atol, rtol, `linear ${what}`);
          const layer = T.nn.mlp([{ w, b }, { w: T.ones([1, ws[ws.length - 2]!], { dtype, device }), b: T.zeros([1], { dtype, device }) }], x);
          const want = T.matmul(T.relu(pre), T.ones([1, ws[ws.length - 2]!], { dtype, device }), { transB: true });
          if (ws.length === 2) expectClose(toF64(layer), toF64(want), atol * 10, rtol * 10, `mlp relu ${what}`);
        });
      }
    });

    it("bceWithLogits is stable and matches the float64 reference", () => {
      const r = rng();
      T.tidy(() => {
        const x = randTensor(r, [1001], dtype, device, -30, 30);
        const yv = Float64Array.from({ length: 1001 }, () => (r.next() < 0.5 ? 0 : 1));
        const y = T.tensor(yv, { dtype, device });
        const ref = x.ref.map((v, i) => Math.max(v, 0) - v * yv[i]! + Math.log1p(Math.exp(-Math.abs(v))));
        expectClose(toF64(T.bceWithLogits(x.t, y, "none")), ref, atol, rtol * 10, "bce none");
        const m = ref.reduce((a, b) => a + b, 0) / ref.length;
        expectClose([T.bceWithLogits(x.t, y).item()], [m], atol * 10, rtol * 10, "bce mean");
        expect(Number.isFinite(T.bceWithLogits(T.tensor([1000, -1000], { dtype, device }), T.tensor([0, 1], { dtype, device }), "sum").item())).toBe(true);
      });
    });

    it("where broadcasts cond, a and b", () => {
      const r = rng();
      T.tidy(() => {
        const c = T.tensor([1, 0, 1], { dtype, device, shape: [3, 1] });
        const a = randTensor(r, [3, 4], dtype, device);
        const b = randTensor(r, [4], dtype, device);
        const out = toF64(T.where(c, a.t, b.t));
        for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) expect(out[i * 4 + j]).toBe(i === 1 ? b.ref[j] : a.ref[i * 4 + j]);
      });
    });
  });

  it("integer tensors: arithmetic, comparisons, cast, gather", () => {
    T.tidy(() => {
      for (const dtype of ["int32", "int64"] as const) {
        const a = T.tensor([5, -3, 7, 0], { dtype, device });
        const b = T.tensor([2, 2, -7, 9], { dtype, device });
        expect(T.add(a, b).toList()).toEqual([7, -1, 0, 9]);
        expect(T.mul(a, b).toList()).toEqual([10, -6, -49, 0]);
        expect(T.sub(a, 1).toList()).toEqual([4, -4, 6, -1]);
        expect(T.gt(a, b).toList()).toEqual([1, 0, 1, 0]);
        expect(T.abs(a).toList()).toEqual([5, 3, 7, 0]);
        expect(T.max(a).item()).toBe(7);
        expect(T.sum(a).item()).toBe(9);
        expect(T.cast(a, "float32").toList()).toEqual([5, -3, 7, 0]);
        expect(T.cast(T.tensor([1.7, -2.2, 3.5], { device }), dtype).toList()).toEqual([1, -2, 3]);
      }
      // One rule on every device for what C++ leaves undefined: NaN → 0, out of range → the
      // nearest end of the integer range.
      for (const src of ["float32", "float64"] as const) {
        const x = T.tensor([Number.NaN, 1e10, -1e10, Infinity, -Infinity, 2.9, -2.9, 2147483520], { dtype: src, device });
        expect(T.cast(x, "int32").toList()).toEqual([0, 2147483647, -2147483648, 2147483647, -2147483648, 2, -2, 2147483520]);
        const y = T.tensor([Number.NaN, 1e30, -1e30, Infinity, -Infinity, 2 ** 40], { dtype: src, device });
        expect((T.cast(y, "int64").toArray() as BigInt64Array).slice()).toEqual(
          new BigInt64Array([0n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 63n - 1n, -(2n ** 63n), 2n ** 40n]),
        );
      }
      const big = T.tensor(new BigInt64Array([2n ** 40n, -(2n ** 40n)]));
      expect(Array.from(T.neg(big).toArray() as BigInt64Array)).toEqual([-(2n ** 40n), 2n ** 40n]);
    });
  });
});
