import type { DType } from "../dtype.js";
import { argError, fmtShape } from "../errors.js";
import type { Generator } from "../ops/random.js";
import { rand, randn } from "../ops/random.js";
import { zeros } from "../ops/creation.js";
import type { Tensor } from "../Tensor.js";

export interface InitOptions {
  generator?: Generator;
  dtype?: DType;
  /** Multiplies the scale; e.g. √2 for ReLU layers under xavier. */
  gain?: number;
  /** Return a leaf that requires grad (default true). */
  requiresGrad?: boolean;
}

/** fan_in and fan_out of a weight [out, in] (or [out, in, ...receptive field]). */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) throw argError("init", "a weight shape of rank >= 2", "shape", fmtShape(shape));
  const field = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[1]! * field, fanOut: shape[0]! * field };
}

function opts(o: InitOptions) {
  return { dtype: o.dtype ?? "float32", requiresGrad: o.requiresGrad ?? true, ...(o.generator ? { generator: o.generator } : {}) } as const;
}

/** Glorot/Xavier uniform: U(−a, a), a = gain·√(6 / (fanIn + fanOut)). */
export function xavierUniform(shape: number[], o: InitOptions = {}): Tensor {
  const { fanIn, fanOut } = fans(shape);
  const a = (o.gain ?? 1) * Math.sqrt(6 / (fanIn + fanOut));
  return rand(shape, { ...opts(o), low: -a, high: a });
}

/** Glorot/Xavier normal: N(0, gain²·2 / (fanIn + fanOut)). */
export function xavierNormal(shape: number[], o: InitOptions = {}): Tensor {
  const { fanIn, fanOut } = fans(shape);
  return randn(shape, { ...opts(o), std: (o.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut)) });
}

/** He/Kaiming uniform for ReLU layers: U(−b, b), b = gain·√(3 / fanIn), gain √2 by default. */
export function kaimingUniform(shape: number[], o: InitOptions = {}): Tensor {
  const { fanIn } = fans(shape);
  const b = (o.gain ?? Math.SQRT2) * Math.sqrt(3 / fanIn);
  return rand(shape, { ...opts(o), low: -b, high: b });
}

/** He/Kaiming normal: N(0, gain² / fanIn), gain √2 by default. */
export function kaimingNormal(shape: number[], o: InitOptions = {}): Tensor {
  const { fanIn } = fans(shape);
  return randn(shape, { ...opts(o), std: (o.gain ?? Math.SQRT2) / Math.sqrt(fanIn) });
}

/** A zero bias (or any zero parameter) that requires grad. */
export function zerosParam(shape: number[], o: InitOptions = {}): Tensor {
  return zeros(shape, { dtype: o.dtype ?? "float32", requiresGrad: o.requiresGrad ?? true });
}
