import type { Generator, Tensor } from "@gmeta/tensor";
import { nn } from "@gmeta/tensor";

/** A dense parameter of a model: its name, shape and initialiser. */
export interface ParamSpec {
  name: string;
  shape: number[];
  init: "kaiming" | "xavier" | "zeros";
  /** Part of the output head (what `adapt: "head"` adapts in the inner loop). */
  head?: boolean;
}

/** A sparse slot: which embedding table its ids index and how a bag of ids is pooled. */
export interface SlotSpec {
  name: string;
  table: string;
  pooling: "sum" | "mean";
}

/** Inputs of one forward pass, with tasks on the leading axis. */
export interface ModelInputs {
  /** [T, N, denseDim]. */
  dense: Tensor;
  /** Per slot, the pooled embeddings [T, N, dim], in the order of `slots`. */
  slots: Tensor[];
}

/**
 * The interface a model implements to be meta-trained: named dense parameters, sparse
 * slots, and a functional forward over explicit (per-task) parameters so fast weights can be
 * substituted. Parameters arrive with a leading task axis: [T, ...spec.shape].
 */
export interface MetaModel {
  readonly name: string;
  readonly params: readonly ParamSpec[];
  readonly slots: readonly SlotSpec[];
  readonly embeddingDim: number;
  readonly denseDim: number;
  /** Logits [T, N]. */
  forward(params: Readonly<Record<string, Tensor>>, inputs: ModelInputs): Tensor;
}

/** Fresh meta-parameters for `model` (leaves that require grad), seeded. */
export function initParams(model: MetaModel, generator: Generator): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const p of model.params) {
    out[p.name] =
      p.init === "zeros"
        ? nn.zerosParam(p.shape)
        : p.init === "xavier"
          ? nn.xavierUniform(p.shape, { generator })
          : nn.kaimingUniform(p.shape, { generator });
  }
  return out;
}

/** Specs of an MLP's layers named `${prefix}.${i}.w` / `.b`, widths input first. */
export function mlpSpecs(prefix: string, widths: readonly number[], head = false): ParamSpec[] {
  return widths.slice(1).flatMap((out, i) => {
    const last = i === widths.length - 2;
    return [
      { name: `${prefix}.${i}.w`, shape: [out, widths[i]!], init: last ? "xavier" : "kaiming", head: head && last },
      { name: `${prefix}.${i}.b`, shape: [out], init: "zeros", head: head && last },
    ] satisfies ParamSpec[];
  });
}

/** The layers of an MLP from named (per-task) parameters. */
export function mlpLayers(p: Readonly<Record<string, Tensor>>, prefix: string, depth: number): nn.LinearParams[] {
  return Array.from({ length: depth }, (_, i) => {
    const w = p[`${prefix}.${i}.w`];
    const b = p[`${prefix}.${i}.b`];
    if (!w || !b) throw new Error(`model: expected parameters ${prefix}.${i}.w and .b, got none`);
    return { w, b };
  });
}
