import { record } from "../autograd/record.js";
import { isFloat } from "../dtype.js";
import { argError } from "../errors.js";
import { BinaryOp } from "../native/AddonTypes.js";
import { addon } from "../native/binding.js";
import { broadcastShapes, broadcastStrides } from "../shape.js";
import { Tensor } from "../Tensor.js";
import { checkSameKind, checkTensor } from "./check.js";
import { fullLike, scalarLike } from "./creation.js";
import { sumToShape } from "./reduce.js";
import { affine, log, neg } from "./unary.js";

/** A tensor, or a number broadcast as a 0-d tensor of the other operand's dtype. */
export type Operand = Tensor | number;

/** Scalar fast path: a checked tensor and a finite scalar, named as the caller's arguments. */
function scalarCase(op: string, a: Operand, b: Operand): { t: Tensor; s: number; tensorFirst: boolean } | null {
  const an = typeof a === "number";
  const bn = typeof b === "number";
  if (an === bn) return null;
  const t = checkTensor(op, an ? "b" : "a", an ? b : a);
  if (!isFloat(t.dtype)) return null;
  const s = (an ? a : b) as number;
  if (!Number.isFinite(s)) throw argError(op, "a finite number", an ? "a" : "b", String(s));
  return { t, s, tensorFirst: !an };
}

function operands(op: string, a: Operand, b: Operand): [Tensor, Tensor] {
  if (typeof a === "number" && typeof b === "number") {
    throw new Error(`${op}: expected a Tensor for a or b, got two numbers`);
  }
  const ta = typeof a === "number" ? scalarLike(a, checkTensor(op, "b", b)) : checkTensor(op, "a", a);
  const tb = typeof b === "number" ? scalarLike(b, ta) : checkTensor(op, "b", b);
  checkSameKind(op, ta, tb);
  return [ta, tb];
}

/** @internal The broadcasting kernel call shared by every binary op. */
export function binaryRaw(op: BinaryOp, name: string, a: Tensor, b: Tensor): Tensor {
  const shape = broadcastShapes(name, a.shape, b.shape);
  const out = Tensor.alloc(shape, a.dtype, a.device);
  if (out.numel > 0) {
    // An expand's copy is read as its source with a zero stride (as a view would be), so a
    // replay need not make the copy when nothing else reads it.
    const ra = a.expandSource() ?? a;
    const rb = b.expandSource() ?? b;
    addon.binary(op, out.storage.native, ra.storage.native, rb.storage.native, shape,
      broadcastStrides(ra.shape, shape), broadcastStrides(rb.shape, shape));
  }
  return out;
}

/** Elementwise a + b with broadcasting. */
export function add(a: Operand, b: Operand): Tensor {
  const sc = scalarCase("add", a, b);
  if (sc) return affine(sc.t, 1, sc.s);
  const [x, y] = operands("add", a, b);
  return record(binaryRaw(BinaryOp.Add, "add", x, y), "add", [x, y], (g) => [
    x.requiresGrad ? sumToShape(g, x.shape) : null,
    y.requiresGrad ? sumToShape(g, y.shape) : null,
  ]);
}

/** Elementwise a − b with broadcasting. */
export function sub(a: Operand, b: Operand): Tensor {
  const sc = scalarCase("sub", a, b);
  if (sc) return sc.tensorFirst ? affine(sc.t, 1, -sc.s) : affine(sc.t, -1, sc.s);
  const [x, y] = operands("sub", a, b);
  return record(binaryRaw(BinaryOp.Sub, "sub", x, y), "sub", [x, y], (g) => [
    x.requiresGrad ? sumToShape(g, x.shape) : null,
    y.requiresGrad ? sumToShape(neg(g), y.shape) : null,
  ]);
}

/** Elementwise a · b with broadcasting. */
export function mul(a: Operand, b: Operand): Tensor {
  const sc = scalarCase("mul", a, b);
  if (sc) return affine(sc.t, sc.s, 0);
  const [x, y] = operands("mul", a, b);
  return record(binaryRaw(BinaryOp.Mul, "mul", x, y), "mul", [x, y], (g) => [
    x.requiresGrad ? sumToShape(mul(g, y), x.shape) : null,
    y.requiresGrad ? sumToShape(mul(g, x), y.shape) : null,
  ]);
}

/** Elementwise a / b with broadcasting. */
export function div(a: Operand, b: Operand): Tensor {
  const sc = scalarCase("div", a, b);
  if (sc?.tensorFirst) {
    if (sc.s === 0) throw argError("div", "a non-zero divisor", "b", "0");
    return affine(sc.t, 1 / sc.s, 0);
  }
  const [x, y] = operands("div", a, b);
  const out = binaryRaw(BinaryOp.Div, "div", x, y);
  return record(out, "div", [x, y], (g) => [
    x.requiresGrad ? sumToShape(div(g, y), x.shape) : null,
    y.requiresGrad ? sumToShape(neg(div(mul(g, out), y)), y.shape) : null,
  ]);
}

/** Elementwise a ^ b with broadcasting (see `powScalar` for a constant exponent). */
export function pow(a: Operand, b: Operand): Tensor {
  const [x, y] = operands("pow", a, b);
  const out = binaryRaw(BinaryOp.Pow, "pow", x, y);
  return record(out, "pow", [x, y], (g) => [
    x.requiresGrad ? sumToShape(mul(g, mul(y, pow(x, sub(y, 1)))), x.shape) : null,
    y.requiresGrad ? sumToShape(mul(g, mul(out, log(x))), y.shape) : null,
  ]);
}

function minMax(op: BinaryOp.Maximum | BinaryOp.Minimum, name: string, a: Operand, b: Operand): Tensor {
  const [x, y] = operands(name, a, b);
  return record(binaryRaw(op, name, x, y), name, [x, y], (g) => {
    // Ties send the gradient to a, as a mask computed once.
    const mask = binaryRaw(op === BinaryOp.Maximum ? BinaryOp.Ge : BinaryOp.Le, name, x, y);
    return [
      x.requiresGrad ? sumToShape(mul(g, mask), x.shape) : null,
      y.requiresGrad ? sumToShape(mul(g, sub(fullLike(mask, 1), mask)), y.shape) : null,
    ];
  });
}

/** Elementwise maximum with broadcasting. */
export function maximum(a: Operand, b: Operand): Tensor {
  return minMax(BinaryOp.Maximum, "maximum", a, b);
}

/** Elementwise minimum with broadcasting. */
export function minimum(a: Operand, b: Operand): Tensor {
  return minMax(BinaryOp.Minimum, "minimum", a, b);
}

function compare(op: BinaryOp, name: string, a: Operand, b: Operand): Tensor {
  const [x, y] = operands(name, a, b);
  return binaryRaw(op, name, x, y);
}

/** 1 where a == b, else 0 (in the operands' dtype); not differentiable. */
export const eq = (a: Operand, b: Operand): Tensor => compare(BinaryOp.Eq, "eq", a, b);
/** 1 where a != b, else 0. */
export const ne = (a: Operand, b: Operand): Tensor => compare(BinaryOp.Ne, "ne", a, b);
/** 1 where a < b, else 0. */
export const lt = (a: Operand, b: Operand): Tensor => compare(BinaryOp.Lt, "lt", a, b);
/** 1 where a <= b, else 0. */
export const le = (a: Operand, b: Operand): Tensor => compare(BinaryOp.Le, "le", a, b);
/** 1 where a > b, else 0. */
export const gt = (a: Operand, b: Operand): Tensor => compare(BinaryOp.Gt, "gt", a, b);
/** 1 where a >= b, else 0. */
export const ge = (a: Operand, b: Operand): Tensor => compare(BinaryOp.Ge, "ge", a, b);

/** Picks a where cond is non-zero, else b, broadcasting all three. */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  checkTensor("where", "cond", cond);
  const [x, y] = operands("where", a, b);
  if (cond.device !== x.device) {
    throw new Error(`where: expected a tensor on ${x.device} for cond, got one on ${cond.device}`);
  }
  const shape = broadcastShapes("where", broadcastShapes("where", cond.shape, x.shape, ["cond", "a"]), y.shape);
  const out = Tensor.alloc(shape, x.dtype, x.device);
  if (out.numel > 0) {
    addon.where(out.storage.native, cond.storage.native, x.storage.native, y.storage.native, shape,
      broadcastStrides(cond.shape, shape), broadcastStrides(x.shape, shape), broadcastStrides(y.shape, shape));
  }
  return record(out, "where", [x, y], (g) => {
    const zero = scalarLike(0, g);
    return [
      x.requiresGrad ? sumToShape(where(cond, g, zero), x.shape) : null,
      y.requiresGrad ? sumToShape(where(cond, zero, g), y.shape) : null,
    ];
  });
}
