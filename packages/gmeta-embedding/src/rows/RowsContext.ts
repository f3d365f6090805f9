import type { Device, Tensor } from "@gmeta/tensor";

import type { CollectionCounters, TrafficCounters } from "../Counters.js";
import type { RowShard } from "../RowShard.js";
import type { ResolvedTable } from "../TableConfig.js";

/**
 * What the two ways of moving rows (host arrays, device tensors) need from the collection:
 * its tables and shards, and its exchanges with their traffic counted.
 */
export interface RowsContext {
  readonly tables: readonly ResolvedTable[];
  readonly shards: readonly (RowShard | undefined)[];
  readonly device: Device;
  readonly worldSize: number;
  /** The live counters (lookup and update traffic). */
  traffic(): CollectionCounters;
  /** A flat host tensor to fill in place and send; joins temps. */
  temp(temps: Tensor[], n: number, dtype: "int32" | "float32"): Tensor;
  /** AlltoAllV of a flat host tensor, read back on the host. */
  allToAll<A extends Int32Array | Float32Array>(temps: Tensor[], send: Tensor, counts: number[], c: TrafficCounters): Promise<{ data: A; counts: number[] }>;
  /** AlltoAllV of a flat tensor on `device`; the result is on `device`. */
  allToAllTensor(temps: Tensor[], send: Tensor, counts: number[], c: TrafficCounters): Promise<Tensor>;
}
