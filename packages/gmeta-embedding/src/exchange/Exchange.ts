import type { Tensor } from "@gmeta/tensor";

/**
 * What the embedding collection needs from a process group: @gmeta/collectives'
 * ProcessGroup satisfies it as is (rows along dimension 0, calls in the same order on every
 * rank). Kept minimal so tests can run many ranks in one process (createLocalExchanges).
 */
export interface Exchange {
  readonly rank: number;
  readonly size: number;
  /**
   * Where the tensors it exchanges live ("cpu" when absent: Gloo, MPI); NCCL groups name
   * their GPU. A collection on another device stages its buffers through this one.
   */
  readonly device?: string;
  /** Sends send's consecutive row blocks of sendCounts[i] rows to rank i. */
  allToAllV(send: Tensor, sendCounts: readonly number[]): Promise<{ recv: Tensor; recvCounts: number[] }>;
  /** Resolves once every rank has reached it. */
  barrier(): Promise<void>;
}
