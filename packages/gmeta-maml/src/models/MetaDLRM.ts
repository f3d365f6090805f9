import type { FeaturePairs, Tensor } from "@gmeta/tensor";
import { concat, nn, pairDot, reshape, squeeze, stack } from "@gmeta/tensor";
import type { MetaModel, ModelInputs, ParamSpec, SlotSpec } from "./MetaModel.js";
import { mlpLayers, mlpSpecs } from "./MetaModel.js";

export interface MetaDLRMConfig {
  denseDim: number;
  slots: SlotSpec[];
  embeddingDim: number;
  /** Hidden widths of the bottom MLP (its output is embeddingDim). */
  bottom?: number[];
  /** Hidden widths of the top MLP (its output is one logit). */
  top?: number[];
}

/**
 * DLRM (Naumov et al. 2019) as a meta-model: pooled embedding bags per slot, a bottom MLP
 * on dense features, pairwise dot-product interaction, and a top MLP producing a logit.
 */
export class MetaDLRM implements MetaModel {
  readonly name = "MetaDLRM";
  readonly params: ParamSpec[];
  readonly slots: SlotSpec[];
  readonly embeddingDim: number;
  readonly denseDim: number;
  private readonly bottomDepth: number;
  private readonly topDepth: number;
  private readonly features: number;
  private readonly triangle: { i: number[]; j: number[] } & FeaturePairs;

  constructor(cfg: MetaDLRMConfig) {
    if (cfg.slots.length === 0 && cfg.denseDim === 0) throw new Error("MetaDLRM: expected at least one slot or dense feature for config, got none");
    this.slots = cfg.slots;
    this.embeddingDim = cfg.embeddingDim;
    this.denseDim = cfg.denseDim;
    const bottom = cfg.denseDim > 0 ? [cfg.denseDim, ...(cfg.bottom ?? [32]), cfg.embeddingDim] : [];
    this.features = cfg.slots.length + (cfg.denseDim > 0 ? 1 : 0);
    this.triangle = { i: [], j: [] };
    for (let i = 0; i < this.features; i++) {
      for (let j = i + 1; j < this.features; j++) {
        this.triangle.i.push(i);
        this.triangle.j.push(j);
      }
    }
    const topIn = (cfg.denseDim > 0 ? cfg.embeddingDim : 0) + this.triangle.i.length;
    const top = [topIn, ...(cfg.top ?? [32]), 1];
    this.bottomDepth = Math.max(0, bottom.length - 1);
    this.topDepth = top.length - 1;
    this.params = [...(bottom.length ? mlpSpecs("bottom", bottom) : []), ...mlpSpecs("top", top, true)];
  }

  forward(p: Readonly<Record<string, Tensor>>, x: ModelInputs): Tensor {
    const [T, N] = x.dense.shape as [number, number];
    const vectors: Tensor[] = [];
    let bottomOut: Tensor | null = null;
    if (this.bottomDepth > 0) {
      bottomOut = nn.mlp(mlpLayers(p, "bottom", this.bottomDepth), x.dense, { outputActivation: "relu" });
      vectors.push(bottomOut);
    }
    vectors.push(...x.slots);
    const F = this.features;
    const D = this.embeddingDim;
    // Pairwise dots of the F feature vectors of every sample (the upper triangle of Z·Zᵀ), in one kernel.
    const z = reshape(stack(vectors, 2), [T * N, F, D]);
    const pairs = reshape(pairDot(z, z, this.triangle), [T, N, this.triangle.i.length]);
    const topIn = bottomOut ? concat([bottomOut, pairs], 2) : pairs;
    const logits = nn.mlp(mlpLayers(p, "top", this.topDepth), topIn);
    return squeeze(logits, -1);
  }
}
