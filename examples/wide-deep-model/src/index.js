// Wide & Deep (Cheng et al. 2016) as a G-Meta MetaModel: a wide linear part over the dense
// features and the pooled slot embeddings, plus a deep MLP over the same concatenation; the
// two logits are summed. Only the published @gmeta packages are used.
import { add, concat, nn, squeeze } from "@gmeta/tensor";
import { mlpLayers, mlpSpecs } from "@gmeta/maml";

/**
 * The factory G-Meta calls: `context` holds the dataset's manifest, its dense width, one slot
 * per sparse column (kept in order), the run's embeddingDim and the run's modelOptions.
 * Options: `hidden` (widths of the deep MLP, default [32, 16]).
 */
export function createModel(context) {
  const { denseDim, embeddingDim, slots, options } = context;
  const hidden = options.hidden ?? [32, 16];
  if (!Array.isArray(hidden) || !hidden.every((w) => Number.isInteger(w) && w > 0)) {
    throw new Error(`wide-deep: expected a list of positive integers for modelOptions.hidden, got ${JSON.stringify(hidden)}`);
  }
  const inputs = slots.length * embeddingDim + denseDim;
  const deepWidths = [inputs, ...hidden, 1];
  const depth = deepWidths.length - 1;
  return {
    name: "WideAndDeep",
    denseDim,
    embeddingDim,
    slots,
    // The wide layer and the deep MLP's last layer form the head (what `adapt: "head"` adapts).
    params: [
      { name: "wide.w", shape: [1, inputs], init: "zeros", head: true },
      { name: "wide.b", shape: [1], init: "zeros", head: true },
      ...mlpSpecs("deep", deepWidths, true),
    ],
    // Parameters arrive per task ([T, ...shape]); inputs are [T, N, ...]: tasks never mix.
    forward(p, x) {
      const features = concat(denseDim > 0 ? [...x.slots, x.dense] : x.slots, 2);
      const wide = nn.linear(features, p["wide.w"], p["wide.b"]);
      const deep = nn.mlp(mlpLayers(p, "deep", depth), features);
      return squeeze(add(wide, deep), -1);
    },
  };
}

