import { noGrad } from "../autograd/gradMode.js";
import { record } from "../autograd/record.js";
import { isFloat } from "../dtype.js";
import { argError } from "../errors.js";
import { BinaryOp, UnaryOp } from "../native/AddonTypes.js";
import { addon } from "../native/binding.js";
import { Tensor } from "../Tensor.js";
import { add, binaryRaw, div, mul } from "./binary.js";
import { checkFloat, checkFinite, checkTensor } from "./check.js";

/** @internal The kernel call shared by every unary op. */
export function unaryRaw(op: UnaryOp, name: string, x: Tensor, p1 = 0, p2 = 0, floatOnly = true): Tensor {
  checkTensor(name, "x", x);
  if (floatOnly) checkFloat(name, "x", x);
  const out = Tensor.alloc(x.shape, x.dtype, x.device);
  if (out.numel > 0) addon.unary(op, out.storage.native, x.storage.native, p1, p2);
  return out;
}

/** −x. */
export function neg(x: Tensor): Tensor {
  return record(unaryRaw(UnaryOp.Neg, "neg", x, 0, 0, false), "neg", [x], (g) => [neg(g)]);
}

/** e^x. */
export function exp(x: Tensor): Tensor {
  const out = unaryRaw(UnaryOp.Exp, "exp", x);
  return record(out, "exp", [x], (g) => [mul(g, out)]);
}

/** Natural logarithm. */
export function log(x: Tensor): Tensor {
  return record(unaryRaw(UnaryOp.Log, "log", x), "log", [x], (g) => [div(g, x)]);
}

/** log(1 + x), accurate for small x. */
export function log1p(x: Tensor): Tensor {
  return record(unaryRaw(UnaryOp.Log1p, "log1p", x), "log1p", [x], (g) => [div(g, affine(x, 1, 1))]);
}

/** 1 / (1 + e^−x). */
export function sigmoid(x: Tensor): Tensor {
  const out = unaryRaw(UnaryOp.Sigmoid, "sigmoid", x);
  return record(out, "sigmoid", [x], (g) => [mul(g, mul(out, affine(out, -1, 1)))]);
}

/** Hyperbolic tangent. */
export function tanh(x: Tensor): Tensor {
  const out = unaryRaw(UnaryOp.Tanh, "tanh", x);
  return record(out, "tanh", [x], (g) => [mul(g, affine(mul(out, out), -1, 1))]);
}

/** max(x, 0). */
export function relu(x: Tensor): Tensor {
  return record(unaryRaw(UnaryOp.Relu, "relu", x), "relu", [x], (g) => [reluGrad(g, x)]);
}

/**
 * @internal ReLU's backward in one pass: g where x > 0, else 0 (torch's threshold_backward, so
 * a NaN in g where x <= 0 does not pass). Linear in g; x only selects, so its derivative is
 * zero. ReLU's output selects the same elements as its input.
 */
export function reluGrad(g: Tensor, x: Tensor): Tensor {
  return record(binaryRaw(BinaryOp.PositiveMask, "relu", g, x), "reluGrad", [g, x], (h) => [reluGrad(h, x), null]);
}

/** 1 where x > 0, else 0; a constant for autograd. */
export function step(x: Tensor): Tensor {
  return unaryRaw(UnaryOp.Step, "step", x);
}

/** −1, 0 or 1; a constant for autograd. */
export function sign(x: Tensor): Tensor {
  return unaryRaw(UnaryOp.Sign, "sign", x, 0, 0, false);
}

/** |x|. */
export function abs(x: Tensor): Tensor {
  return record(unaryRaw(UnaryOp.Abs, "abs", x, 0, 0, false), "abs", [x], (g) => [mul(g, sign(x))]);
}

/** √x. */
export function sqrt(x: Tensor): Tensor {
  const out = unaryRaw(UnaryOp.Sqrt, "sqrt", x);
  return record(out, "sqrt", [x], (g) => [div(mul(g, 0.5), out)]);
}

/** 1 / x. */
export function reciprocal(x: Tensor): Tensor {
  const out = unaryRaw(UnaryOp.Reciprocal, "reciprocal", x);
  return record(out, "reciprocal", [x], (g) => [mul(g, neg(mul(out, out)))]);
}

/** x^p for a constant exponent p. */
export function powScalar(x: Tensor, p: number): Tensor {
  checkFinite("powScalar", "p", p);
  const out = unaryRaw(UnaryOp.PowScalar, "powScalar", x, p);
  return record(out, "powScalar", [x], (g) => [p === 0 ? null : mul(g, mul(powScalar(x, p - 1), p))]);
}

/** x². */
export function square(x: Tensor): Tensor {
  return powScalar(x, 2);
}

/** scale · x + shift, one pass (scalar add, sub, mul, div use it). */
export function affine(x: Tensor, scale: number, shift: number): Tensor {
  checkTensor("affine", "x", x);
  checkFinite("affine", "scale", scale);
  checkFinite("affine", "shift", shift);
  if (!isFloat(x.dtype)) {
    throw argError("affine", "a float32 or float64 tensor", "x", `${x.dtype} (use a tensor operand for integer arithmetic)`);
  }
  const out = unaryRaw(UnaryOp.Affine, "affine", x, scale, shift);
  return record(out, "affine", [x], (g) => [affine(g, scale, 0)]);
}

/** min(max(x, lo), hi); the gradient passes where lo < x < hi. */
export function clamp(x: Tensor, lo: number, hi: number): Tensor {
  if (!(lo <= hi)) throw argError("clamp", `lo <= hi (hi = ${hi})`, "lo", String(lo));
  const out = unaryRaw(UnaryOp.Clamp, "clamp", x, lo, hi);
  return record(out, "clamp", [x], (g) => {
    // Inside the range: step(x − lo) · step(hi − x).
    const inside = mul(step(affine(x, 1, -lo)), step(affine(x, -1, hi)));
    return [mul(g, inside)];
  });
}

/** softplus(x) = log(1 + e^x), computed stably as max(x, 0) + log1p(e^−|x|); its derivative is sigmoid(x). */
export function softplus(x: Tensor): Tensor {
  checkTensor("softplus", "x", x);
  const out = noGrad(() => add(relu(x), log1p(exp(neg(abs(x))))));
  return record(out, "softplus", [x], (g) => [mul(g, sigmoid(x))]);
}
