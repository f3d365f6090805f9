import type { Device } from "@gmeta/tensor";

import type { CollectionCounters } from "../Counters.js";
import type { Exchange } from "../exchange/Exchange.js";
import type { TablePlan } from "../plan/types.js";
import type { RowShard } from "../RowShard.js";
import type { ResolvedTable } from "../TableConfig.js";

/**
 * The state of a sharded collection that its lookups read and their sessions update: plain
 * data handed down, so a session never calls back into the collection.
 */
export interface CollectionCore {
  readonly tables: readonly ResolvedTable[];
  readonly tablePlans: readonly TablePlan[];
  /** This rank's shard of each table (undefined where it owns none), in table order. */
  readonly shards: readonly (RowShard | undefined)[];
  readonly group: Exchange;
  /** Where rows, state and E_U live. */
  readonly device: Device;
  readonly dedup: boolean;
  /** Live traffic counters, added to by every exchange. */
  readonly counters: CollectionCounters;
  /** Updates applied to each table; kept here because a rank may own no rows of a table. */
  readonly steps: number[];
}
