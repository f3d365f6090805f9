import { describe, expect, it } from "vitest";
import * as T from "../src/index.js";

describe("bad input is refused in TypeScript with the shared message shape", () => {
  const a = T.zeros([2, 3]);
  it("shapes", () => {
    expect(() => T.add(a, T.zeros([4]))).toThrow("add: expected a shape broadcastable with [2, 3] for b, got [4]");
    expect(() => T.matmul(a, T.zeros([4, 2]))).toThrow("matmul: expected 3 rows in op(b) to match op(a) [2, 3] for b, got op(b) of shape [4, 2] (b is [4, 2])");
    expect(() => T.matmul(T.zeros([3]), a)).toThrow("matmul: expected a tensor of rank 2 or 3 for a, got shape [3]");
    expect(() => T.reshape(a, [4, 2])).toThrow("reshape: expected a shape with 6 elements (x is [2, 3]) for shape, got [4, 2]");
    expect(() => T.concat([a, T.zeros([2, 4])], 0)).toThrow("concat: expected shape [-1, 3] (any length on axis 0) for xs[1], got [2, 4]");
    expect(() => T.sum(a, 2)).toThrow("sum: expected an integer axis in [-2, 1] for axis, got 2");
    expect(() => T.slice(a, 1, 2, 5)).toThrow("slice: expected 0 <= start <= end <= 3 on axis 1 for range, got [2, 5)");
    expect(() => T.tensor([1, 2, 3], { shape: [2, 2] })).toThrow("tensor: expected 3 elements to match the data for shape, got [2, 2] (4 elements)");
    expect(() => T.zeros([2, -1])).toThrow("full: expected an array of non-negative integers for shape, got [2,-1]");
    expect(() => T.bceWithLogits(T.zeros([3]), T.zeros([4]))).toThrow("bceWithLogits: expected shape [3] (the shape of logits) for targets, got [4]");
  });

  it("dtypes", () => {
    expect(() => T.add(a, T.zeros([2, 3], { dtype: "float64" }))).toThrow("add: expected float32 (the dtype of a) for b, got float64");
    expect(() => T.exp(T.zeros([2], { dtype: "int32" }))).toThrow("exp: expected a float32 or float64 tensor for x, got int32");
    expect(() => T.gatherRows(a, T.zeros([2]))).toThrow("gatherRows: expected an int32 or int64 tensor for idx, got float32");
    expect(() => T.zeros([2], { dtype: "float16" as never })).toThrow('full: expected "float32", "float64", "int32" or "int64" for dtype, got "float16"');
  });

  it("devices", () => {
    expect(() => T.zeros([2], { device: "tpu" })).toThrow('full: expected "cpu" or "cuda:N" for device, got "tpu"');
    const cuda = T.info().cuda;
    if (!cuda.available) {
      // Where no GPU is usable, asking for one is a clear error rather than a crash.
      expect(() => T.zeros([2], { device: "cuda:0" })).toThrow(/cuda/i);
    }
  });

  it("indices out of range name the index and its position; no crash", () => {
    const src = T.zeros([5, 2]);
    expect(() => T.gatherRows(src, T.tensor([0, 4, 5, 1], { dtype: "int64" }))).toThrow("gatherRows: expected indices in [0, 5) for idx, got 5 at position 2");
    expect(() => T.gatherRows(src, T.tensor([-1], { dtype: "int32" }))).toThrow("gatherRows: expected indices in [0, 5) for idx, got -1 at position 0");
    expect(() => T.indexAdd(src, T.tensor([9], { dtype: "int32" }), T.zeros([1, 2]))).toThrow("indexAdd: expected indices in [0, 5) for idx, got 9 at position 0");
    expect(() => T.scatterAddRows(T.zeros([2, 2]), T.tensor([1, 5], { dtype: "int32" }), 5)).toThrow("scatterAddRows: expected indices in [0, 5) for idx, got 5 at position 1");
    expect(() => T.scatterAddRows(T.zeros([3, 2]), T.tensor([1, 2], { dtype: "int32" }), 5)).toThrow("scatterAddRows: expected shape [2] + row shape (idx shape first) for src, got [3, 2]");
    expect(() => T.segmentSum(src, T.tensor([0, 3, 2], { dtype: "int32" }))).toThrow("segmentSum: expected non-decreasing offsets in [0, 5] for offsets, got 2 at position 2");
    expect(() => T.segmentSum(src, T.tensor([0, 6], { dtype: "int32" }))).toThrow("segmentSum: expected non-decreasing offsets in [0, 5] for offsets, got 6 at position 1");
    const ids = T.tensor([0, 4, 1], { dtype: "int32" });
    expect(() => T.embeddingBag(src, T.tensor([0, 5, 1], { dtype: "int32" }), T.tensor([0, 1, 3], { dtype: "int32" }))).toThrow("embeddingBag: expected indices in [0, 5) for idx, got 5 at position 1");
    expect(() => T.embeddingBag(src, ids, T.tensor([0, 2, 1], { dtype: "int32" }))).toThrow("embeddingBag: expected non-decreasing offsets in [0, 3] for offsets, got 1 at position 2");
    expect(() => T.embeddingBag(src, ids, T.tensor([0, 4], { dtype: "int64" }))).toThrow("embeddingBag: expected non-decreasing offsets in [0, 3] for offsets, got 4 at position 1");
    expect(() => T.embeddingBag(src, ids, T.tensor([0, 3], { dtype: "int32" }), "max" as never)).toThrow('embeddingBag: expected "sum" or "mean" for mode, got max');
    expect(() => T.embeddingBag(T.zeros([5, 2], { dtype: "int32" }), ids, T.tensor([0, 3], { dtype: "int32" }))).toThrow(/embeddingBag: expected a float/);
  });

  it("non-tensors and disposed tensors", () => {
    expect(() => T.add([1, 2] as never, a)).toThrow("add: expected a Tensor for a, got an array");
    expect(() => T.mul(undefined as never, 2)).toThrow("mul: expected a Tensor for a, got undefined");
    expect(() => T.div(a, 0)).toThrow("div: expected a non-zero divisor for b, got 0");
    expect(() => T.add(a, Infinity)).toThrow("add: expected a finite number for b, got Infinity");
    expect(() => T.bceWithLogits(T.zeros([2]), T.zeros([2]), "avg" as never)).toThrow('bceWithLogits: expected "mean", "sum" or "none" for reduction, got "avg"');
    const d = T.zeros([2]);
    d.dispose();
    expect(() => T.exp(d)).toThrow("exp: expected a live tensor, got a disposed float32 tensor of shape [2] (used after dispose())");
    expect(() => d.toArray()).toThrow("toArray: expected a live tensor");
  });

  it("optimizers check gradients against their parameters", () => {
    const p = T.zeros([2, 2], { requiresGrad: true });
    const opt = new T.Adam([p]);
    expect(() => opt.step([T.zeros([3])])).toThrow("Adam.step: expected float32 [2, 2] on cpu (like params[0]) for grads[0], got float32 [3] on cpu");
    expect(() => new T.Adam([p], { beta1: 1 })).toThrow("Adam: expected a value in [0, 1) for beta1, got 1");
  });
});
