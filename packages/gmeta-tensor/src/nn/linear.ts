import { argError, fmtShape } from "../errors.js";
import { add } from "../ops/binary.js";
import { checkTensor } from "../ops/check.js";
import { matmul } from "../ops/matmul.js";
import { unsqueeze } from "../ops/shapeOps.js";
import type { Tensor } from "../Tensor.js";

/**
 * y = x·wᵀ + b with w [out, in] (torch.nn.functional.linear). With per-task fast weights
 * w [T, out, in], b [T, out] and x [T, N, in], every task is computed in one batched GEMM.
 */
export function linear(x: Tensor, w: Tensor, b?: Tensor | null): Tensor {
  checkTensor("linear", "x", x);
  checkTensor("linear", "w", w);
  const inDim = x.shape[x.rank - 1];
  if (w.shape[w.rank - 1] !== inDim) {
    throw argError("linear", `a weight [out, ${inDim}] for x of shape ${fmtShape(x.shape)}`, "w", fmtShape(w.shape));
  }
  const y = matmul(x, w, { transB: true });
  if (!b) return y;
  checkTensor("linear", "b", b);
  const out = w.shape[w.rank - 2]!;
  if (b.shape[b.rank - 1] !== out || b.rank !== w.rank - 1) {
    throw argError("linear", `a bias of shape ${fmtShape([...w.shape.slice(0, -2), out])}`, "b", fmtShape(b.shape));
  }
  return add(y, w.rank === 3 ? unsqueeze(b, 1) : b);
}
