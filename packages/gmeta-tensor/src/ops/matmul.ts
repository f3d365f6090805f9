import { record } from "../autograd/record.js";
import { argError, fmtShape } from "../errors.js";
import { addon } from "../native/binding.js";
import { Tensor } from "../Tensor.js";
import { noGrad } from "../autograd/gradMode.js";
import { tidy } from "../memory.js";
import { checkFloat, checkRank, checkSameKind, checkTensor } from "./check.js";
import { sum } from "./reduce.js";
import { reshape } from "./shapeOps.js";
import { reluGrad } from "./unary.js";

export interface MatmulOptions {
  /** Use a's last two axes transposed (a stored [..., K, M]). No copy is made. */
  transA?: boolean;
  /** Use b's last two axes transposed (b stored [..., N, K]). No copy is made. */
  transB?: boolean;
}

/**
 * Matrix product over the last two axes, batched over a leading axis: [M,K]·[K,N],
 * [B,M,K]·[B,K,N], and either side 2-D to share one matrix across the batch.
 * @example matmul(x, w, { transB: true }) // x·wᵀ, as torch.nn.functional.linear
 */
export function matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  checkTensor("matmul", "a", a);
  checkTensor("matmul", "b", b);
  checkSameKind("matmul", a, b);
  checkFloat("matmul", "a", a);
  checkRank("matmul", "a", a, [2, 3]);
  checkRank("matmul", "b", b, [2, 3]);
  const transA = !!opts.transA;
  const transB = !!opts.transB;
  // A batch of rows against one shared matrix is a single larger GEMM.
  if (a.rank === 3 && b.rank === 2 && !transA) {
    const [B, M, K] = a.shape as [number, number, number];
    const flat = matmul(reshape(a, [B * M, K]), b, opts);
    return reshape(flat, [B, M, flat.shape[1]!]);
  }
  // Every batch entry of b is one matrix (per-task weights expanded from the meta-weights, at
  // the first inner step): the values are one larger GEMM against it, while the gradient still
  // goes to b's batch entries one by one.
  const shared = b.expandSource();
  if (a.rank === 3 && b.rank === 3 && !transA && shared && a.shape[0] === b.shape[0]) {
    const [B, M, K] = a.shape as [number, number, number];
    const out = tidy(() => noGrad(() => {
      const flat = matmul(reshape(a, [B * M, K]), reshape(shared, b.shape.slice(1)), opts);
      return reshape(flat, [B, M, flat.shape[1]!]);
    }));
    return recordMatmul(out, a, b, transA, transB);
  }
  const [ra, ca] = a.shape.slice(-2) as [number, number];
  const [rb, cb] = b.shape.slice(-2) as [number, number];
  const M = transA ? ca : ra;
  const K = transA ? ra : ca;
  const Kb = transB ? cb : rb;
  const N = transB ? rb : cb;
  if (K !== Kb) {
    throw argError("matmul", `${K} rows in op(b) to match op(a) ${fmtShape([M, K])}`, "b",
      `op(b) of shape ${fmtShape([Kb, N])} (b is ${fmtShape(b.shape)}${transB ? ", transposed" : ""})`);
  }
  const ba = a.rank === 3 ? a.shape[0]! : 1;
  const bb = b.rank === 3 ? b.shape[0]! : 1;
  if (ba !== bb && ba !== 1 && bb !== 1) {
    throw argError("matmul", `batch ${ba} (a's) or 1`, "b", `batch ${bb} (shape ${fmtShape(b.shape)})`);
  }
  const batch = Math.max(ba, bb);
  const batched = a.rank === 3 || b.rank === 3;
  const shape = batched ? [batch, M, N] : [M, N];
  // An empty inner dimension leaves the product all zeros without any kernel writing it.
  const out = Tensor.alloc(shape, a.dtype, a.device, K === 0);
  if (out.numel > 0) {
    addon.matmul(out.storage.native, a.storage.native, b.storage.native, batch, M, N, K, transA, transB,
      ba === 1 ? 0 : M * K, bb === 1 ? 0 : K * N, false);
  }
  return recordMatmul(out, a, b, transA, transB);
}

/** Records out = op(a)·op(b) for autograd; the gradients are matmuls too (differentiable again). */
function recordMatmul(out: Tensor, a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  return record(out, "matmul", [a, b], (g) => matmulGrads(g, a, b, transA, transB));
}

/** The gradients of op(a)·op(b) for the upstream gradient g (null where an operand needs none). */
function matmulGrads(g: Tensor, a: Tensor, b: Tensor, transA: boolean, transB: boolean): [Tensor | null, Tensor | null] {
  let da: Tensor | null = null;
  let db: Tensor | null = null;
  if (a.requiresGrad) {
    da = transA ? matmul(b, g, { transA: transB, transB: true }) : matmul(g, b, { transB: !transB });
    da = reduceBatch(da, a);
  }
  if (b.requiresGrad) {
    db = transB ? matmul(g, a, { transA: true, transB: transA }) : matmul(a, g, { transA: !transA });
    db = reduceBatch(db, b);
  }
  return [da, db];
}

/**
 * @internal x·wᵀ + b, then ReLU with `relu`, in one kernel call: the GEMM adds the bias and
 * applies the activation to each block of rows as it writes it, so neither makes another pass
 * over the output (nn.linear and nn.mlp). Shapes as nn.linear checked them: x [..., in] with
 * w [out, in] and b [out], or per-task x [T, N, in], w [T, out, in] and b [T, out]. Null for
 * operands this does not cover (the caller then runs the unfused ops).
 */
export function linearFused(x: Tensor, w: Tensor, b: Tensor, relu: boolean): Tensor | null {
  if (x.dtype !== w.dtype || b.dtype !== w.dtype || x.device !== w.device || b.device !== w.device) return null;
  if (x.dtype !== "float32" && x.dtype !== "float64") return null;
  const [N, K] = w.shape.slice(-2) as [number, number];
  if (w.rank === 2 && b.rank === 1 && x.rank >= 2) {
    // One weight: every row of x against it, as one GEMM over the rows flattened.
    const rows = x.shape.slice(0, -1).reduce((n, d) => n * d, 1);
    const y = linearKernel(reshape(x, [rows, K]), w, b, relu, { batch: 1, M: rows, N, K, aStride: 0, bStride: 0, biasRows: 0, weight: w, bias: b });
    return reshape(y, [...x.shape.slice(0, -1), N]);
  }
  if (w.rank === 3 && x.rank === 3 && b.rank === 2 && x.shape[0] === w.shape[0] && b.shape[0] === w.shape[0]) {
    const [T, Ns] = x.shape as [number, number, number];
    // Weights expanded from the meta-weights (the first inner step) are one GEMM over every
    // task's rows against them; the gradients still go to each task's entry.
    const w0 = w.expandSource();
    const b0 = b.expandSource();
    return linearKernel(x, w, b, relu, {
      batch: w0 ? 1 : T, M: w0 ? T * Ns : Ns, N, K, aStride: w0 ? 0 : Ns * K, bStride: w0 ? 0 : N * K,
      biasRows: b0 ? 0 : Ns, weight: w0 ?? w, bias: b0 ?? b,
    });
  }
  return null;
}

interface LinearLayout {
  batch: number;
  M: number;
  N: number;
  K: number;
  aStride: number;
  bStride: number;
  /** Rows of C per bias row (0: one bias row for all). */
  biasRows: number;
  /** The tensors whose values the kernel reads (an expand's source, or the operand itself). */
  weight: Tensor;
  bias: Tensor;
}

function linearKernel(x: Tensor, w: Tensor, b: Tensor, relu: boolean, k: LinearLayout): Tensor {
  const shape = x.rank === 3 ? [x.shape[0]!, x.shape[1]!, k.N] : [x.shape[0]!, k.N];
  const out = Tensor.alloc(shape, x.dtype, x.device);
  if (out.numel > 0) {
    addon.matmulBias(out.storage.native, x.storage.native, k.weight.storage.native, k.bias.storage.native, k.batch, k.M, k.N, k.K,
      false, true, k.aStride, k.bStride, k.biasRows, relu);
  }
  return record(out, relu ? "linearRelu" : "linear", [x, w, b], (g) => {
    const gz = relu ? reluGrad(g, out) : g;
    const [dx, dw] = matmulGrads(gz, x, w, false, true);
    // b [out] sums every row's gradient; b [T, out] each task's rows.
    const db = b.requiresGrad ? sum(b.rank === 1 ? reshape(gz, [-1, k.N]) : gz, b.rank === 1 ? 0 : 1) : null;
    return [dx, dw, db];
  });
}

/** Sums a batched gradient over the batch axis where the operand was shared or had batch 1. */
function reduceBatch(g: Tensor, x: Tensor): Tensor {
  if (g.rank === x.rank && g.shape[0] === x.shape[0]) return g;
  if (x.rank === 2) return sum(g, 0);
  return sum(g, 0, true);
}

/** Batched matrix product [B,M,K]·[B,K,N] (an alias of `matmul` for 3-D operands). */
export function bmm(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  checkRank("bmm", "a", checkTensor("bmm", "a", a), [3]);
  checkRank("bmm", "b", checkTensor("bmm", "b", b), [3]);
  return matmul(a, b, opts);
}
