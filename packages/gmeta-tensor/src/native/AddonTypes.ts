/**
 * Types of the native addon (`build/Release/gmeta_tensor.node`): the contract between the
 * C++ kernels and the TypeScript layer. Only `binding.ts` loads the addon.
 *
 * Conventions:
 * - All tensors are contiguous row-major buffers held by a `NativeStorage`; shapes live in
 *   TypeScript. Views (transpose, slice, expand) are materialised with `stridedCopy`.
 * - Every kernel writes into an output storage allocated by the caller (TypeScript).
 * - Element counts, strides and offsets are in elements, not bytes.
 * - TypeScript validates shapes, dtypes and devices before calling; kernels that read
 *   indices check ranges themselves and report the first bad position instead of crashing.
 */

/** Dtype codes shared with native code (`native/core/dtype.h`). */
export const enum DTypeCode {
  Float32 = 0,
  Float64 = 1,
  Int32 = 2,
  Int64 = 3,
}

/** Binary elementwise ops (`binary`). Comparisons write 1 or 0 in the output dtype. */
export const enum BinaryOp {
  Add = 0,
  Sub = 1,
  Mul = 2,
  Div = 3,
  Pow = 4,
  Maximum = 5,
  Minimum = 6,
  Eq = 7,
  Ne = 8,
  Lt = 9,
  Le = 10,
  Gt = 11,
  Ge = 12,
  /** a where b > 0, else 0. */
  PositiveMask = 13,
}

/**
 * Unary elementwise ops (`unary`). `p1`, `p2` are scalar parameters:
 * PowScalar: x^p1; Affine: p1*x + p2; Clamp: min(max(x, p1), p2).
 */
export const enum UnaryOp {
  Neg = 0,
  Exp = 1,
  Log = 2,
  Sigmoid = 3,
  Tanh = 4,
  Relu = 5,
  Abs = 6,
  Sqrt = 7,
  PowScalar = 8,
  Affine = 9,
  Sign = 10,
  /** 1 where x > 0, else 0 (relu's derivative). */
  Step = 11,
  Log1p = 12,
  Clamp = 13,
  Reciprocal = 14,
}

/** Reductions over the middle axis of a [outer, axisLen, inner] view (`reduce`). */
export const enum ReduceOp {
  Sum = 0,
  Mean = 1,
  Max = 2,
  Min = 3,
}

export const enum SegmentMode {
  Sum = 0,
  Mean = 1,
}

export const enum RandomKind {
  /** Uniform in [a, b). */
  Uniform = 0,
  /** Normal with mean a and standard deviation b. */
  Normal = 1,
}

/** A block of device memory owned by native code. */
export interface NativeStorage {
  readonly dtype: DTypeCode;
  /** Number of elements. */
  readonly numel: number;
  readonly byteLength: number;
  /** Device index: -1 for CPU, N for cuda:N. */
  readonly device: number;
  /** True after `dispose()`. */
  readonly disposed: boolean;
  /**
   * Frees the memory now (and tells V8 the external bytes are gone). Idempotent. Views made
   * by `view()` keep the memory alive until they are collected.
   */
  dispose(): void;
  /** Copies the contents out into a fresh ArrayBuffer. */
  read(): ArrayBuffer;
  /** Copies `numel` elements from a typed array of the same element type into the storage. */
  write(src: ArrayBufferView, dstOffset: number): void;
  /**
   * Zero-copy view of CPU memory as an external ArrayBuffer; it holds a reference to the
   * memory, so it stays valid after `dispose()`. Throws for device memory.
   */
  view(): ArrayBuffer;
  /** Host float memory: the position (from offset) of the first NaN or infinity of `length` elements, or -1. */
  firstNonFinite(offset: number, length: number): number;
  /** The address of the memory (a device pointer on cuda:N) for libraries such as NCCL. */
  devicePointer(): bigint;
}

export interface NativeStorageCtor {
  /**
   * Allocates `numel` elements of `dtype` on `device` (-1 = CPU); contents are zero unless
   * `zero` is false (for outputs a kernel overwrites completely). Host blocks come from a
   * caching allocator, so steady-state steps make no system calls.
   */
  new (dtype: DTypeCode, numel: number, device: number, zero?: boolean): NativeStorage;
}

export interface AddonInfo {
  version: string;
  /** e.g. "OpenBLAS 0.3.21" */
  blas: string;
  threads: number;
  cuda: { compiled: boolean; available: boolean; devices: number; reason: string };
  /** Bytes currently allocated by live storages, per device ("cpu", "cuda:0", ...). */
  allocatedBytes: Record<string, number>;
  /** Freed host bytes kept by the caching allocator for reuse. */
  cachedHostBytes: number;
  /** Freed device bytes kept by the CUDA caching allocator for reuse (all devices). */
  cachedDeviceBytes: number;
  /**
   * cuBLAS, loaded at run time (GMETA_CUBLAS_PATH, else libcublas.so.13 / .12). `available`
   * needs a CUDA build too; `reason` says what is missing ("cuBLAS not found: tried ...").
   */
  cublas: { available: boolean; path: string; reason: string };
}

/** Counts of a captured program (`Program.stats()`). */
export interface ProgramStats {
  /** Recorded kernel calls, zero fills and host writes. */
  ops: number;
  /** Floating-point operations of one replay (GEMM 2·M·N·K, elementwise one per element). */
  flops: number;
  /** Bytes the kernels of one replay read and write. */
  bytes: number;
  /** Buffers made during the capture that only the program holds, packed into the arena. */
  temporaries: number;
  arenaBytes: number;
  /**
   * Bytes of the arena the program shares with the other programs of its compiled function
   * (they take turns over it, never running at once): the largest of their needs.
   */
  sharedArenaBytes: number;
  /** What the temporaries would take with one buffer each. */
  unplannedBytes: number;
  replays: number;
  /** Recorded ops the memory plan dropped: they wrote only temporaries that nothing read. */
  deadOps: number;
  /** On a GPU: replays launch the program as one CUDA graph (captured at the first replay). */
  cudaGraph: boolean;
  /** Why `cudaGraph` is false ("" when it is true). */
  cudaGraphReason: string;
}

/** A captured program: its kernel calls over fixed storages, replayed in one call. */
export interface NativeProgram {
  /** Runs every recorded call in order; throws naming the call when a kernel reports an error. */
  replay(): void;
  /**
   * Packs temporaries into one arena by liveness (call once, right after the capture); with
   * `shareWith`, into the arena that program uses (grown to fit), for programs that never run
   * at the same time.
   */
  planMemory(shareWith?: NativeProgram): void;
  stats(): ProgramStats;
  /** CUDA graphs for this program's replays (default on unless GMETA_CUDA_GRAPHS=0); no-op on the CPU. */
  setCudaGraph(enabled: boolean): void;
  /**
   * One replay with every call timed, summed per op name (and per GEMM shape with
   * `byShape`), slowest first (CPU times).
   */
  profile(byShape?: boolean): OpProfile[];
  dispose(): void;
}

/** Time of one replay spent in one kind of op. */
export interface OpProfile {
  op: string;
  calls: number;
  /** Wall time. */
  seconds: number;
  /** The calling thread's CPU time: on one thread, the op's work without other processes' share of a busy machine. */
  cpuSeconds: number;
  flops: number;
  bytes: number;
}

export interface Addon {
  Storage: NativeStorageCtor;
  /**
   * Opens a capture: until `endCapture`, every kernel call, zero fill and host write is
   * recorded as well as run. Host reads, random draws and optimizer steps refuse it.
   */
  beginCapture(device: number): void;
  /** Closes the capture: the program, or the first reason it cannot be replayed. */
  endCapture(): { program?: NativeProgram; reason?: string };
  captureOpen(): boolean;
  info(): AddonInfo;
  setNumThreads(n: number): void;
  /** Returns cached host blocks to the system; the bytes released. */
  releaseHostCache(): number;
  /** Returns cached device blocks to the driver; the bytes released (0 without CUDA). */
  releaseDeviceCache(): number;
  /** Waits for the work queued on device N's stream (no-op for -1). */
  synchronize(device: number): void;
  /** Makes device N current on the calling thread (no-op for -1). */
  useDevice(device: number): void;
  /** Device N's stream (a cudaStream_t) as a bigint; every kernel of that device runs on it. */
  cudaStream(device: number): bigint;
  /** A marker (cudaEvent_t) after the work queued so far on device N's stream. */
  recordEvent(device: number, timing?: boolean): bigint;
  /** Device milliseconds between two timing markers (waits for the second). */
  eventElapsedMs(start: bigint, end: bigint): number;
  /** Whether the work before the marker has finished; throws the error it ended with. */
  eventDone(event: bigint): boolean;
  destroyEvent(event: bigint): void;

  /**
   * dst = src for storages of one dtype and numel on any two devices (host↔device copies
   * return once the bytes have landed; device↔device copies are queued in stream order).
   */
  copy(dst: NativeStorage, src: NativeStorage): void;
  getNumThreads(): number;

  /** out[:] = value (cast to out's dtype). */
  fill(out: NativeStorage, value: number): void;
  /** out = src converted to out's dtype; same numel. */
  cast(out: NativeStorage, src: NativeStorage): void;
  /**
   * For every index i of `shape` (row-major):
   *   dst[dstOffset + Σ i_k·dstStrides_k] = src[srcOffset + Σ i_k·srcStrides_k].
   * Same dtype. Strides may be 0 (broadcast). Covers transpose, slice, expand, concat.
   */
  stridedCopy(
    dst: NativeStorage, dstOffset: number, dstStrides: number[],
    src: NativeStorage, srcOffset: number, srcStrides: number[],
    shape: number[],
  ): void;

  /**
   * out[i] = a[Σ i_k·aStrides_k] op b[Σ i_k·bStrides_k] for every index i of `shape`;
   * out is contiguous with `shape`. a, b and out share one dtype.
   */
  binary(op: BinaryOp, out: NativeStorage, a: NativeStorage, b: NativeStorage,
    shape: number[], aStrides: number[], bStrides: number[]): void;
  /** out = op(a) elementwise, same numel and dtype. */
  unary(op: UnaryOp, out: NativeStorage, a: NativeStorage, p1: number, p2: number): void;
  /** out[i] = cond[...] != 0 ? a[...] : b[...], broadcasting like `binary`. */
  where(out: NativeStorage, cond: NativeStorage, a: NativeStorage, b: NativeStorage,
    shape: number[], condStrides: number[], aStrides: number[], bStrides: number[]): void;

  /** a viewed as [outer, axisLen, inner] reduced over the middle axis into out [outer, inner]. */
  reduce(op: ReduceOp, out: NativeStorage, a: NativeStorage,
    outer: number, axisLen: number, inner: number): void;

  /**
   * Batched GEMM (float32 / float64): for each b < batch,
   *   out[b] (M×N) = op(A[b]) (M×K) · op(B[b]) (K×N)
   * where op(A) is A stored K×M when transA, and op(B) is B stored N×K when transB.
   * A[b] starts at b·aBatchStride, B[b] at b·bBatchStride (0 broadcasts one matrix);
   * out is contiguous [batch, M, N]. If accumulate, out += product instead of out = product.
   */
  matmul(out: NativeStorage, a: NativeStorage, b: NativeStorage,
    batch: number, M: number, N: number, K: number,
    transA: boolean, transB: boolean, aBatchStride: number, bBatchStride: number,
    accumulate: boolean): void;

  /**
   * out[i, :] = src[idx[i], :] for i < idx.numel; rows of `dim` elements; src has
   * `srcRows` rows. idx is int32 or int64. Returns -1, or the position in idx of the first
   * index outside [0, srcRows) (then out is unspecified).
   */
  gatherRows(out: NativeStorage, src: NativeStorage, idx: NativeStorage,
    srcRows: number, dim: number): number;
  /**
   * out[idx[i], :] += src[i, :] (out is not cleared first); out has `outRows` rows of `dim`.
   * Deterministic regardless of thread count. Returns -1 or the first bad position.
   */
  scatterAddRows(out: NativeStorage, src: NativeStorage, idx: NativeStorage,
    outRows: number, dim: number): number;
  /**
   * Segment pooling (embedding-bag): out[s, :] = Σ_{r ∈ [offsets[s], offsets[s+1])} src[r, :]
   * (divided by the count for Mean; an empty segment gives zeros). offsets (int32 / int64)
   * has numSegments + 1 entries. Returns -1, or the first s whose offsets are decreasing or
   * outside [0, srcRows].
   */
  /**
   * The adjoint of segment pooling: out[r, :] = src[s, :] for every row r of segment s; rows
   * outside every segment are not written. Returns -1, or the first s whose offsets are
   * decreasing or outside [0, outRows].
   */
  segmentExpand(out: NativeStorage, src: NativeStorage, offsets: NativeStorage, numSegments: number, outRows: number, dim: number): number;
  /**
   * out = act(op(a)·op(b) + bias), act ReLU or none: the bias and activation applied as the
   * GEMM writes each block of rows. Bias row of C row g = i·M + r is g / biasRows of a
   * [*, N] bias (its one row when biasRows is 0). No accumulate.
   */
  matmulBias(out: NativeStorage, a: NativeStorage, b: NativeStorage, bias: NativeStorage, batch: number, M: number, N: number,
    K: number, transA: boolean, transB: boolean, aBatchStride: number, bBatchStride: number, biasRows: number, relu: boolean): void;
  segmentReduce(mode: SegmentMode, out: NativeStorage, src: NativeStorage, offsets: NativeStorage,
    numSegments: number, srcRows: number, dim: number): number;
  /**
   * Embedding-bag pooling in one pass: out[s] = c_s · Σ src[idx[k]] over k in [offsets[s],
   * offsets[s+1]), c_s = 1 (sum) or 1 / bag size (mean). Returns -1, or the first bad bag s
   * (offsets decreasing or outside [0, ids]), or bags + 1 + k for the first index position k
   * outside [0, rows); out is then untouched. Float values only.
   */
  embeddingBag(mode: SegmentMode, out: NativeStorage, src: NativeStorage, idx: NativeStorage, offsets: NativeStorage,
    bags: number, ids: number, rows: number, dim: number): number;
  /** The adjoint: out [rows, dim] = 0, then out[idx[k]] += c_s · g[s]; returns as embeddingBag. */
  embeddingBagBackward(mode: SegmentMode, out: NativeStorage, g: NativeStorage, idx: NativeStorage, offsets: NativeStorage,
    bags: number, ids: number, rows: number, dim: number): number;

  /** Elementwise binary cross-entropy with logits: out = max(x,0) − x·y + log(1 + exp(−|x|)). */
  bceWithLogits(out: NativeStorage, x: NativeStorage, y: NativeStorage): void;

  /** out[b, p] = <x[b, i[p], :], y[b, j[p], :]> for x [batch, fx, dim], y [batch, fy, dim]. */
  pairDot(out: NativeStorage, x: NativeStorage, y: NativeStorage, batch: number, fx: number, fy: number, dim: number,
    i: number[], j: number[]): void;
  /** out[b, f, :] = Σ over p with i[p] = f of g[b, p]·y[b, j[p], :]; out [batch, fx, dim], g [batch, pairs]. */
  pairSpread(out: NativeStorage, g: NativeStorage, y: NativeStorage, batch: number, fx: number, fy: number, dim: number,
    i: number[], j: number[]): void;

  /**
   * Counter-based random fill: element i depends only on (seed, offset + i), so results do
   * not depend on the thread count. Float dtypes only.
   */
  random(kind: RandomKind, out: NativeStorage, seed: bigint, offset: bigint, a: number, b: number): void;

  /** In-place Adam / AdamW step on one tensor (float32 / float64); bias corrections precomputed. */
  adamStep(param: NativeStorage, grad: NativeStorage, m: NativeStorage, v: NativeStorage,
    lr: number, beta1: number, beta2: number, eps: number, weightDecay: number,
    biasCorrection1: number, biasCorrection2: number, decoupled: boolean, gradOffset: number, gradScale: number): void;
  /** In-place SGD step with optional momentum buffer (pass null without momentum). */
  sgdStep(param: NativeStorage, grad: NativeStorage, momentumBuf: NativeStorage | null,
    lr: number, momentum: number, dampening: number, weightDecay: number,
    nesterov: boolean, firstStep: boolean, gradOffset: number, gradScale: number): void;
}
