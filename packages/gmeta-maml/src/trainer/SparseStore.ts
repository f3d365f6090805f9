import type { Tensor } from "@gmeta/tensor";

/** Communication done by an exchange, for per-step metrics. */
export interface CommCounters {
  calls: number;
  bytes: number;
}

/**
 * What the trainer needs of the (sharded) embedding tables: one lookup of unique ids per
 * table, and one exchange of their gradient rows back to the owners. Every rank calls both
 * in the same order (they are collectives).
 */
export interface SparseStore {
  /** Rows [ids.length, dim] of each named table's unique ids (plain tensors, no graph). */
  lookup(tables: readonly string[], ids: readonly BigInt64Array[]): Promise<Tensor[]>;
  /** Sends gradient rows of `ids` to their owners, who sum duplicates and step the optimizer. */
  applyGradients(tables: readonly string[], ids: readonly BigInt64Array[], grads: readonly Tensor[]): Promise<void>;
  /**
   * Sends rows of `ids` to their owners, who receive and drop them: the traffic of a
   * parameter server receiving per-task adapted rows (the naive baseline's inner steps).
   */
  push(tables: readonly string[], ids: readonly BigInt64Array[], rows: readonly Tensor[]): Promise<void>;
  /** AlltoAllV calls and bytes so far. */
  counters(): CommCounters;
}
