/** Name of this package. */
export const PACKAGE_NAME = "@gmeta/embedding";

export { EmbeddingTable } from "./EmbeddingTable.js";
export type { EmbeddingTableOptions } from "./EmbeddingTable.js";
export type { EmbeddingInit, ResolvedTable, TableConfig } from "./TableConfig.js";
export { hashId } from "./hashId.js";
export type { IdInput } from "./ids.js";
export type { PoolingMode } from "./pooling.js";
export type { ResolvedOptimizer, SparseOptimizerConfig, StateSlot } from "./optim/SparseOptimizer.js";
export { resolveOptimizer, stateSlots } from "./optim/SparseOptimizer.js";
export { sparseUpdate } from "./optim/sparseUpdate.js";
export type { SparseUpdateArgs } from "./optim/sparseUpdate.js";
export { bytesPerRow, planSharding } from "./plan/planSharding.js";
export type { PlanOptions } from "./plan/planSharding.js";
export type { PlanConstraint, ShardingPlan, ShardingStrategy, ShardSpec, TablePlan } from "./plan/types.js";
export { ShardedEmbeddingCollection } from "./ShardedEmbeddingCollection.js";
export type { CollectionOptions, TableIds } from "./ShardedEmbeddingCollection.js";
export { applyGradientsTogether, LookupSession } from "./lookup/LookupSession.js";
export type { PushedRows, RowsPerTable } from "./lookup/LookupSession.js";
export type { TableLookup } from "./lookup/TableLookup.js";
export type { CollectionCounters, TrafficCounters } from "./Counters.js";
export type { Exchange } from "./exchange/Exchange.js";
export { createLocalExchanges } from "./exchange/LocalExchange.js";
export { RowShard } from "./RowShard.js";
export type { CheckpointManifest, ShardFileEntry } from "./checkpoint/manifest.js";
export { replaceFolder } from "./checkpoint/replaceFolder.js";
export { embeddingCudaStatus } from "./cudaStatus.js";
export { embeddingNativeStatus } from "./native/embeddingNative.js";
