import type { SlotIds } from "./sampleChunk.js";

/** The support or the query samples of a meta-batch, contiguous, tasks one after another. */
export interface SampleBlock {
  size: number;
  labels: Float32Array;
  /** size × denseDim, row-major. */
  dense: Float32Array;
  /** One entry per sparse slot, in manifest order. */
  slots: SlotIds[];
  /** Task t owns samples taskOffsets[t] .. taskOffsets[t+1] (length tasks + 1). */
  taskOffsets: Int32Array;
}

/** One step's tasks for one rank. Every array is a view of one ArrayBuffer owned by this batch. */
export interface MetaBatch {
  epoch: number;
  /** Position of this batch in the epoch (the same on every rank). */
  index: number;
  rank: number;
  tasks: number;
  taskKeys: BigInt64Array;
  /** Trailing tasks repeated from the start of the epoch to fill the batch (remainder "pad"). */
  padded: number;
  support: SampleBlock;
  query: SampleBlock;
  /** What the loader's batch transform (LoaderOptions.transform) made of this batch; absent without one. */
  prepared?: unknown;
}
