import { describe, expect, it } from "vitest";
import * as T from "../src/index.js";

describe("autograd API", () => {
  it("grad of a scalar, accumulating over reuse", () => {
    const x = T.tensor([1, 2, 3], { dtype: "float64", requiresGrad: true });
    const y = T.sum(T.mul(x, x)); // Σ x²
    const [g] = T.grad(y, [x]);
    expect(g!.toList()).toEqual([2, 4, 6]);
    expect(g!.requiresGrad).toBe(false);
  });

  it("createGraph gives a differentiable gradient (Hessian-vector product)", () => {
    const x = T.tensor([0.5, -1, 2], { dtype: "float64", requiresGrad: true });
    const y = T.sum(T.powScalar(x, 3)); // Σ x³: grad 3x², Hessian diag 6x
    const [g] = T.grad(y, [x], { createGraph: true });
    expect(g!.requiresGrad).toBe(true);
    const [h] = T.grad(T.sum(g!), [x]);
    expect(h!.toList()).toEqual([3, -6, 12]);
  });

  it("gradOutputs for non-scalar outputs; missing gradOutputs is an error", () => {
    const x = T.tensor([1, 2], { dtype: "float64", requiresGrad: true });
    const y = T.mul(x, 3);
    expect(() => T.grad(y, [x])).toThrow("grad: expected gradOutputs[0] for a non-scalar output, got none (output shape [2])");
    const [g] = T.grad(y, [x], { gradOutputs: [T.tensor([1, -1], { dtype: "float64" })] });
    expect(g!.toList()).toEqual([3, -3]);
  });

  it("unused inputs are an error unless allowUnused, which gives zeros", () => {
    const x = T.tensor([1], { requiresGrad: true });
    const z = T.tensor([5], { requiresGrad: true });
    const y = T.sum(T.mul(x, 2));
    expect(() => T.grad(y, [x, z])).toThrow("grad: expected inputs[1] to be used by the outputs");
    const [, gz] = T.grad(y, [x, z], { allowUnused: true });
    expect(gz!.toList()).toEqual([0]);
  });

  it("gradients flow to an input through another requested input", () => {
    const w = T.tensor([2], { dtype: "float64", requiresGrad: true });
    const h = T.mul(w, w); // h = w²
    const y = T.sum(T.mul(h, w)); // y = w³ ; dy/dh = w, dy/dw = 3w²
    const [gh, gw] = T.grad(y, [h, w]);
    expect(gh!.item()).toBe(2);
    expect(gw!.item()).toBe(12);
  });

  it("noGrad records nothing; detach cuts the graph; isGradEnabled reports the mode", () => {
    const x = T.tensor([1, 2], { requiresGrad: true });
    const y = T.noGrad(() => {
      expect(T.isGradEnabled()).toBe(false);
      return T.mul(x, 2);
    });
    expect(y.requiresGrad).toBe(false);
    expect(T.detach(x).requiresGrad).toBe(false);
    expect(() => T.grad(T.sum(T.detach(x)), [x])).toThrow("grad: expected a tensor that requires grad for outputs[0]");
    expect(T.isGradEnabled()).toBe(true);
  });

  it("valueAndGrad returns the value and gradients for every argument", () => {
    const f = T.valueAndGrad((a, b) => T.sum(T.mul(a!, b!)));
    const { value, grads } = f(T.tensor([1, 2]), T.tensor([3, 4]));
    expect(value.item()).toBe(11);
    expect(grads.map((g) => g.toList())).toEqual([[3, 4], [1, 2]]);
  });

  it("a deep chain does not overflow the stack", () => {
    const x = T.tensor([1], { dtype: "float64", requiresGrad: true });
    let y = x;
    for (let i = 0; i < 20000; i++) y = T.affine(y, 1, 0.001);
    const [g] = T.grad(T.sum(y), [x]);
    expect(g!.item()).toBe(1);
  });

  it("softplus has derivative sigmoid(x), 0.5 at exactly 0", () => {
    const x = T.tensor([0, -3, 2], { dtype: "float64", requiresGrad: true });
    const [g] = T.grad(T.sum(T.softplus(x)), [x]);
    const want = [0.5, 1 / (1 + Math.exp(3)), 1 / (1 + Math.exp(-2))];
    (g!.toList() as number[]).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 12));
  });

  it("assign overwrites values in place and checks the length", () => {
    const t = T.zeros([2, 2]);
    T.assign(t, [1, 2, 3, 4]);
    expect(t.toList()).toEqual([[1, 2], [3, 4]]);
    expect(() => T.assign(t, [1, 2])).toThrow("assign: expected 4 values (shape [2, 2]) for values, got 2");
  });

  it("requiresGrad only on float tensors", () => {
    expect(() => T.tensor([1], { dtype: "int32", requiresGrad: true })).toThrow("setRequiresGrad: expected a float tensor for this, got int32");
  });
});
