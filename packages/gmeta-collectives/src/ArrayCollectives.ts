import type { DType, HostArray } from "./dtype.js";
import type { ReduceOp } from "./ReduceOp.js";

/** Which engine runs a process group. */
export type Backend = "gloo" | "mpi" | "nccl";

/** Makes the receive array of n elements; lets a caller receive straight into its own memory. */
export type Alloc<A extends HostArray> = (n: number) => A;

/** allToAllV's result: what arrived, and how many elements came from each rank. */
export interface AllToAllVResult<A extends HostArray = HostArray> {
  recv: A;
  recvCounts: number[];
}

/** allGatherV's result: every rank's elements in rank order, and each rank's count. */
export interface AllGatherVResult<A extends HostArray = HostArray> {
  recv: A;
  counts: number[];
}

/**
 * Collectives over host typed arrays: the layer under the tensor ProcessGroup. Every call
 * returns a Promise that settles when the operation has finished on this rank; calls run one
 * at a time in call order, so every rank must make the same calls in the same order.
 */
export interface ArrayCollectives {
  readonly backend: Backend;
  readonly rank: number;
  readonly size: number;
  /** Combines data across ranks in place and resolves with it. */
  allReduce<A extends HostArray>(data: A, op?: ReduceOp): Promise<A>;
  /** Sends send's consecutive slices of sendCounts[i] elements to rank i. */
  allToAllV<A extends HostArray>(send: A, sendCounts: readonly number[], alloc?: Alloc<A>): Promise<AllToAllVResult<A>>;
  /** Concatenates every rank's data (equal lengths) in rank order. */
  allGather<A extends HostArray>(data: A, alloc?: Alloc<A>): Promise<A>;
  /** Concatenates every rank's data (any lengths) in rank order. */
  allGatherV<A extends HostArray>(data: A, alloc?: Alloc<A>): Promise<AllGatherVResult<A>>;
  /** Overwrites data on every rank with root's data, in place. */
  broadcast<A extends HostArray>(data: A, root?: number): Promise<A>;
  /** Resolves once every rank has reached the barrier. */
  barrier(): Promise<void>;
  /** Sets the timeout of later blocking calls, in milliseconds. */
  setTimeout(ms: number): void;
  /** Waits for queued calls, then releases the connections. */
  close(): Promise<void>;
}

/** Element type names accepted by every backend. */
export const DTYPES: readonly DType[] = ["float32", "float64", "int32", "int64"];
