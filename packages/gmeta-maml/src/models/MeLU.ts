import type { Tensor } from "@gmeta/tensor";
import { concat, nn, squeeze } from "@gmeta/tensor";
import type { MetaModel, ModelInputs, ParamSpec, SlotSpec } from "./MetaModel.js";
import { mlpLayers, mlpSpecs } from "./MetaModel.js";

export interface MeLUConfig {
  denseDim: number;
  slots: SlotSpec[];
  embeddingDim: number;
  /** Hidden widths of the decision MLP (default [64, 32]). */
  hidden?: number[];
}

/**
 * MeLU-style model (Lee et al. 2019): concatenated slot embeddings and dense features
 * through an MLP to one logit.
 */
export class MeLU implements MetaModel {
  readonly name = "MeLU";
  readonly params: ParamSpec[];
  readonly slots: SlotSpec[];
  readonly embeddingDim: number;
  readonly denseDim: number;
  private readonly depth: number;

  constructor(cfg: MeLUConfig) {
    this.slots = cfg.slots;
    this.embeddingDim = cfg.embeddingDim;
    this.denseDim = cfg.denseDim;
    const widths = [cfg.slots.length * cfg.embeddingDim + cfg.denseDim, ...(cfg.hidden ?? [64, 32]), 1];
    this.depth = widths.length - 1;
    this.params = mlpSpecs("mlp", widths, true);
  }

  forward(p: Readonly<Record<string, Tensor>>, x: ModelInputs): Tensor {
    const parts = this.denseDim > 0 ? [...x.slots, x.dense] : x.slots;
    return squeeze(nn.mlp(mlpLayers(p, "mlp", this.depth), concat(parts, 2)), -1);
  }
}
