import { type Device, empty, type Tensor } from "@gmeta/tensor";
import type { ArrayCollectives, Backend } from "./ArrayCollectives.js";
import { dtypeOfArray, type HostArray } from "./dtype.js";
import { invalidArgument } from "./errors.js";
import type { ReduceOp } from "./ReduceOp.js";

/** allToAllV's result on tensors: rows received, and how many came from each rank. */
export interface TensorAllToAllV {
  recv: Tensor;
  recvCounts: number[];
}

/** allGatherV's result on tensors: every rank's rows in rank order, and each rank's row count. */
export interface TensorAllGatherV {
  recv: Tensor;
  counts: number[];
}

/**
 * Collectives on CPU tensors. Splits and gathers are along dimension 0 (rows), like
 * torch.distributed's all_to_all_single and all_gather_into_tensor. Every call returns a
 * Promise running in a native worker thread; calls run one at a time in call order, so every
 * rank must make the same calls in the same order. Tensors must stay alive until it settles.
 */
export interface ProcessGroup {
  readonly backend: Backend;
  readonly rank: number;
  readonly size: number;
  /** Where its tensors must live: "cpu" for Gloo and MPI, the group's GPU for NCCL. */
  readonly device: Device;
  /** Combines t across ranks in place (sum, mean, max, min) and resolves with t. */
  allReduce(t: Tensor, op?: ReduceOp): Promise<Tensor>;
  /** Sends send's consecutive row blocks of sendCounts[i] rows to rank i. */
  allToAllV(send: Tensor, sendCounts: readonly number[]): Promise<TensorAllToAllV>;
  /** Concatenates every rank's t (same shape) along dimension 0. */
  allGather(t: Tensor): Promise<Tensor>;
  /** Concatenates every rank's t (same trailing shape, any row count) along dimension 0. */
  allGatherV(t: Tensor): Promise<TensorAllGatherV>;
  /** Overwrites t on every rank with root's t, in place. */
  broadcast(t: Tensor, root?: number): Promise<Tensor>;
  /** Resolves once every rank has reached it. */
  barrier(): Promise<void>;
  /** Sets the timeout of later blocking calls, in milliseconds. */
  setTimeout(ms: number): void;
  /** Waits for queued calls, then releases the connections. */
  close(): Promise<void>;
  /** The typed-array collectives underneath. */
  readonly arrays: ArrayCollectives;
}

/**
 * A ProcessGroup over any ArrayCollectives (Gloo or MPI): tensors go in and out through
 * hostView(), so no data is copied, and received tensors are allocated by @gmeta/tensor with
 * their final size before the native call writes into them.
 */
export class TensorProcessGroup implements ProcessGroup {
  readonly device: Device = "cpu";
  constructor(readonly arrays: ArrayCollectives) {}

  get backend(): Backend {
    return this.arrays.backend;
  }
  get rank(): number {
    return this.arrays.rank;
  }
  get size(): number {
    return this.arrays.size;
  }

  async allReduce(t: Tensor, op: ReduceOp = "sum"): Promise<Tensor> {
    const data = view("allReduce", t);
    // A world of one: every reduction is the identity, and no thread needs to wake for it.
    if (this.size === 1 && REDUCE_OPS.has(op)) return t;
    await this.arrays.allReduce(data, op);
    return t;
  }

  async allToAllV(send: Tensor, sendCounts: readonly number[]): Promise<TensorAllToAllV> {
    const data = view("allToAllV", send);
    const [rows, row] = rowShape("allToAllV", send);
    if (!Array.isArray(sendCounts) || sendCounts.length !== this.size) {
      throw invalidArgument("allToAllV", `an array of ${this.size} row counts`, "sendCounts", sendCounts);
    }
    const total = sendCounts.reduce((s, c) => s + c, 0);
    if (total !== rows) throw invalidArgument("allToAllV", `row counts summing to ${rows}`, "sendCounts", `a sum of ${total}`);
    const width = row.reduce((a, b) => a * b, 1);
    if (this.size === 1) {
      const own = rowsTensor(send, rows * width, width, row);
      if (rows * width > 0) (own.hostView() as typeof data).set(data.subarray(0, rows * width) as never);
      return { recv: own, recvCounts: [rows] };
    }
    let recv: Tensor | undefined;
    const res = await this.arrays.allToAllV(
      data,
      sendCounts.map((c) => c * width),
      (n) => (recv = rowsTensor(send, n, width, row)).hostView() as typeof data,
    );
    return { recv: recv!, recvCounts: res.recvCounts.map((c) => (width ? c / width : 0)) };
  }

  async allGather(t: Tensor): Promise<Tensor> {
    const data = view("allGather", t);
    const [, row] = rowShape("allGather", t);
    const width = row.reduce((a, b) => a * b, 1);
    let recv: Tensor | undefined;
    await this.arrays.allGather(data, (n) => (recv = rowsTensor(t, n, width, row)).hostView() as typeof data);
    return recv!;
  }

  async allGatherV(t: Tensor): Promise<TensorAllGatherV> {
    const data = view("allGatherV", t);
    const [, row] = rowShape("allGatherV", t);
    const width = row.reduce((a, b) => a * b, 1);
    let recv: Tensor | undefined;
    const res = await this.arrays.allGatherV(data, (n) => (recv = rowsTensor(t, n, width, row)).hostView() as typeof data);
    return { recv: recv!, counts: res.counts.map((c) => (width ? c / width : 0)) };
  }

  async broadcast(t: Tensor, root = 0): Promise<Tensor> {
    await this.arrays.broadcast(view("broadcast", t), root);
    return t;
  }

  barrier(): Promise<void> {
    return this.arrays.barrier();
  }

  setTimeout(ms: number): void {
    this.arrays.setTimeout(ms);
  }

  close(): Promise<void> {
    return this.arrays.close();
  }
}

const REDUCE_OPS: ReadonlySet<string> = new Set(["sum", "mean", "max", "min"]);

// Host memory of a CPU tensor; CUDA tensors belong to the NCCL process group.
function view(op: string, t: Tensor): HostArray {
  if (t === null || typeof t !== "object" || typeof (t as Tensor).hostView !== "function") {
    throw invalidArgument(op, "a Tensor", "t", t);
  }
  if (t.device !== "cpu") throw invalidArgument(op, 'a tensor on "cpu" (CUDA tensors need backend "nccl")', "t", `one on ${t.device}`);
  const v = t.hostView();
  if (!dtypeOfArray(v)) throw invalidArgument(op, "a float32, float64, int32 or int64 tensor", "t", t.dtype);
  return v;
}

function rowShape(op: string, t: Tensor): [number, number[]] {
  if (t.shape.length === 0) throw invalidArgument(op, "a tensor with at least one dimension", "t", "a scalar");
  return [t.shape[0]!, t.shape.slice(1)];
}

// The receive tensor: n elements as rows shaped like the sender's.
function rowsTensor(like: Tensor, n: number, width: number, row: number[]): Tensor {
  const rows = width ? n / width : 0;
  return empty([rows, ...row], { dtype: like.dtype });
}
