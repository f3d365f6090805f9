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

/**
 * A table's ids as the lookup takes them: deduplicated, or raw where the dedup rejected them
 * (an id outside the table), so the lookup rejects them itself and every rank fails together.
 */
export type TableInput = DedupedRows | { ids: BigInt64Array };

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
  /** Per table: its ids (support then query) deduplicated as the lookup session does (raw where rejected). */
  lookups: TableInput[];
  /** Per table: how many of its ids are the support set's (they come first). */
  supportIds: number[];
  /** The learner step's inputs (padded to buckets when the config says so); none when a table's ids were rejected. */
  host: HostInput[];
  support: BlockCounts;
  query: BlockCounts;
}

/**
 * Pads a batch, deduplicates each table's ids (the lookup's own function, with the
 * collection's setting), numbers the (task, row) pairs from that inverse and builds the
 * learner step's host inputs. Ids the dedup rejects are kept raw for the lookup to reject:
 * a collective step must fail on every rank at once, which only the lookup's exchange does.
 */
export function prepareStep(config: StepPrepConfig, batch: Pick<MetaBatch, "support" | "query">): PreparedStep {
  const model = { denseDim: config.denseDim, slots: config.slotTables.map((table) => ({ table })) };
  const padded = padBatch(model, batch);
  const lookups = padded.tables.map((name, k) => {
    const space = config.tables.find((t) => t.name === name);
    if (!space) throw new Error(`prepareStep: expected table "${name}" (read by the model's slots) in config.tables, got ${config.tables.map((t) => t.name).join(", ")}`);
    try {
      return dedupRows(space, padded.ids[k]!, config.dedup);
    } catch {
      return { ids: padded.ids[k]! };
    }
  });
  const counts = { support: { tasks: padded.support.tasks, counts: padded.support.counts }, query: { tasks: padded.query.tasks, counts: padded.query.counts } };
  const base = { config: configKey(config), tables: padded.tables, lookups, supportIds: padded.supportIds, ...counts };
  if (lookups.some((d) => "ids" in d)) return { ...base, host: [] };
  const deduped = lookups as DedupedRows[];
  const pb = numberPairs(model, padded, deduped.map((d) => ({ inverse: d.inverse, uniqueCount: d.unique.length })));
  return { ...base, host: stepHostInputs(pb, { device: config.device as Device, buckets: config.buckets }) };
}

const keys = new WeakMap<StepPrepConfig, string>();
/** The configuration as the JSON a prepared batch carries (made once per configuration object). */
export function configKey(config: StepPrepConfig): string {
  let k = keys.get(config);
  if (k === undefined) keys.set(config, (k = JSON.stringify(config)));
  return k;
}

/**
 * The support set's part of a prepared table lookup: support ids come first and unique rows
 * are in first-seen order, so they are a prefix of both (the baseline's support lookup).
 */
export function supportPart(d: TableInput, supportIds: number): TableInput {
  if ("ids" in d) return { ids: d.ids.subarray(0, supportIds) };
  const inverse = d.inverse.subarray(0, supportIds);
  let u = 0;
  for (let i = 0; i < inverse.length; i++) if (inverse[i]! + 1 > u) u = inverse[i]! + 1;
  return { unique: d.unique.subarray(0, u), inverse };
}
