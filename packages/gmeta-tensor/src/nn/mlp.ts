import type { DType } from "../dtype.js";
import { argError } from "../errors.js";
import type { Generator } from "../ops/random.js";
import { relu, sigmoid, tanh } from "../ops/unary.js";
import type { Tensor } from "../Tensor.js";
import { kaimingUniform, xavierUniform, zerosParam } from "./init.js";
import { linear, linearRelu } from "./linear.js";

export type Activation = "relu" | "tanh" | "sigmoid" | "none";

/** One layer's parameters: w [out, in] (or [T, out, in]), b [out] (or [T, out]). */
export interface LinearParams {
  w: Tensor;
  b: Tensor;
}

export function activate(x: Tensor, act: Activation): Tensor {
  switch (act) {
    case "relu":
      return relu(x);
    case "tanh":
      return tanh(x);
    case "sigmoid":
      return sigmoid(x);
    case "none":
      return x;
    default:
      throw argError("activate", '"relu", "tanh", "sigmoid" or "none"', "activation", JSON.stringify(act));
  }
}

export interface MlpOptions {
  /** Between layers (default relu). */
  activation?: Activation;
  /** After the last layer (default none: logits). */
  outputActivation?: Activation;
}

/** A multi-layer perceptron over explicit parameters, so fast weights can be substituted. */
export function mlp(layers: readonly LinearParams[], x: Tensor, o: MlpOptions = {}): Tensor {
  let h = x;
  layers.forEach((l, i) => {
    const act = i < layers.length - 1 ? (o.activation ?? "relu") : (o.outputActivation ?? "none");
    // ReLU rides in the layer's GEMM with the bias.
    h = act === "relu" ? linearRelu(h, l.w, l.b) : activate(linear(h, l.w, l.b), act);
  });
  return h;
}

export interface InitMlpOptions {
  generator?: Generator;
  dtype?: DType;
  /** kaiming (default, for relu) or xavier. */
  init?: "kaiming" | "xavier";
}

/** Parameters for an MLP with layer widths `sizes` (input first). */
export function initMlp(sizes: readonly number[], o: InitMlpOptions = {}): LinearParams[] {
  if (sizes.length < 2 || !sizes.every((s) => Number.isSafeInteger(s) && s > 0)) {
    throw argError("initMlp", "at least two positive widths", "sizes", JSON.stringify(sizes));
  }
  const init = o.init === "xavier" ? xavierUniform : kaimingUniform;
  const io = { dtype: o.dtype ?? "float32", ...(o.generator ? { generator: o.generator } : {}) } as const;
  return sizes.slice(1).map((out, i) => ({ w: init([out, sizes[i]!], io), b: zerosParam([out], io) }));
}
