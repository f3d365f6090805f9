import { dedupRows } from "@gmeta/embedding/rows";
import type { DedupedRows, RowSpace } from "@gmeta/embedding/rows";
import type { MetaBatch } from "@gmeta/io";
import type { Device, HostInput } from "@gmeta/tensor";
import { stepHostInputs } from "../learner/StepHostInputs.js";
import { numberPairs, padBatch } from "./PreparedBatch.js";
import type { TaskBlock } from "./TaskBlock.js";

/**
 * What preparing a batch for a trainer depends on, as plain JSON (it crosses to the loader's
 * worker threads): the model's batch layout, the tables' row spaces and the collection's dedup
 * setting (so the dedup is the lookup's own), and how the learner step takes its inputs.
 */
export interface StepPrepConfig {
  denseDim: number;
  /** Per slot of the model, the table it reads. */
  slotTables: string[];
  /** Every table the slots read, in first-use order. */
  tables: RowSpace[];
  dedup: boolean;
  /** The learner's device (the host inputs' target). */
  device: string;
  /** Whether the learner step pads to shape buckets. */
  buckets: boolean;
}

/** A block's task count and real samples per task: what the rank's loss weights read. */
export type BlockCounts = Pick<TaskBlock, "tasks" | "counts">;

/**
 * A meta-batch prepared for the G-Meta step: everything that needs no embedding row and no
 * tensor. Made on the trainer's thread, or in a loader worker and transferred (typed arrays).
 */
export interface PreparedStep {
  /** The configuration it was prepared under, as JSON (checked by the trainer). */
  config: string;
  /** Tables in first-use order. */
  tables: string[];
  /** Per table: its ids (support then query) deduplicated as the lookup session does. */
  lookups: DedupedRows[];
  /** Per table: how many of its ids are the support set's (they come first). */
  supportIds: number[];
  /** The learner step's inputs (padded to buckets when the config says so). */
  host: HostInput[];
  support: BlockCounts;
  query: BlockCounts;
}

/**
 * Pads a batch, deduplicates each table's ids (the lookup's own function, with the
 * collection's setting), numbers the (task, row) pairs from that inverse and builds the
 * learner step's host inputs.
 */
export function prepareStep(config: StepPrepConfig, batch: Pick<MetaBatch, "support" | "query">): PreparedStep {
  const model = { denseDim: config.denseDim, slots: config.slotTables.map((table) => ({ table })) };
  const padded = padBatch(model, batch);
  const lookups = padded.tables.map((name, k) => {
    const space = config.tables.find((t) => t.name === name);
    if (!space) throw new Error(`prepareStep: expected table "${name}" (read by the model's slots) in config.tables, got ${config.tables.map((t) => t.name).join(", ")}`);
    return dedupRows(space, padded.ids[k]!, config.dedup);
  });
  const pb = numberPairs(model, padded, lookups.map((d) => ({ inverse: d.inverse, uniqueCount: d.unique.length })));
  return {
    config: JSON.stringify(config),
    tables: padded.tables,
    lookups,
    supportIds: padded.supportIds,
    host: stepHostInputs(pb, { device: config.device as Device, buckets: config.buckets }),
    support: { tasks: pb.support.tasks, counts: pb.support.counts },
    query: { tasks: pb.query.tasks, counts: pb.query.counts },
  };
}

/**
 * The support set's part of a prepared table lookup: support ids come first and unique rows
 * are in first-seen order, so they are a prefix of both (the baseline's support lookup).
 */
export function supportPart(d: DedupedRows, supportIds: number): DedupedRows {
  const inverse = d.inverse.subarray(0, supportIds);
  let u = 0;
  for (let i = 0; i < inverse.length; i++) if (inverse[i]! + 1 > u) u = inverse[i]! + 1;
  return { unique: d.unique.subarray(0, u), inverse };
}
