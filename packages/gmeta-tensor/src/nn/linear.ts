import { argError, fmtShape } from "../errors.js";
import { add } from "../ops/binary.js";
import { checkTensor } from "../ops/check.js";
import { linearFused, matmul } from "../ops/matmul.js";
import { unsqueeze } from "../ops/shapeOps.js";
import { relu } from "../ops/unary.js";
import type { Tensor } from "../Tensor.js";

/**
 * y = x·wᵀ + b with w [out, in] (torch.nn.functional.linear). With per-task fast weights
 * w [T, out, in], b [T, out] and x [T, N, in], every task is computed in one batched GEMM,
 * which also adds the bias as it writes its output.
 */
export function linear(x: Tensor, w: Tensor, b?: Tensor | null): Tensor {
  return linearAct(x, w, b, false);
}

/** @internal relu(linear(x, w, b)), the activation applied by the GEMM with the bias (nn.mlp). */
export function linearRelu(x: Tensor, w: Tensor, b?: Tensor | null): Tensor {
  return linearAct(x, w, b, true);
}

function linearAct(x: Tensor, w: Tensor, b: Tensor | null | undefined, activation: boolean): Tensor {
  checkTensor("linear", "x", x);
  checkTensor("linear", "w", w);
  const inDim = x.shape[x.rank - 1];
  if (w.shape[w.rank - 1] !== inDim) {
    throw argError("linear", `a weight [out, ${inDim}] for x of shape ${fmtShape(x.shape)}`, "w", fmtShape(w.shape));
  }
  if (!b) {
    const y = matmul(x, w, { transB: true });
    return activation ? relu(y) : y;
  }
  checkTensor("linear", "b", b);
  const out = w.shape[w.rank - 2]!;
  if (b.shape[b.rank - 1] !== out || b.rank !== w.rank - 1) {
    throw argError("linear", `a bias of shape ${fmtShape([...w.shape.slice(0, -2), out])}`, "b", fmtShape(b.shape));
  }
  const fused = linearFused(x, w, b, activation);
  if (fused) return fused;
  const y = add(matmul(x, w, { transB: true }), w.rank === 3 ? unsqueeze(b, 1) : b);
  return activation ? relu(y) : y;
}
