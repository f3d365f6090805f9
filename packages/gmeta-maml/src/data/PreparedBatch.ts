import type { MetaBatch } from "@gmeta/io";
import type { MetaModel } from "../models/MetaModel.js";
import { unique } from "./Dedup.js";
import type { TaskBlock } from "./TaskBlock.js";
import { padBlock } from "./TaskBlock.js";

/**
 * What preparing a batch reads of a model: its dense width and each slot's table (a plain
 * object will do, e.g. in a loader's worker threads, where the model itself is not).
 */
export interface BatchModel {
  denseDim: number;
  slots: readonly Pick<MetaModel["slots"][number], "table">[];
}

/** Per embedding table: its unique rows in the lookup and the (task, row) pairs. */
export interface TableUse {
  table: string;
  /** Unique rows over support and query (one lookup for both, as in the G-Meta step). */
  uniqueCount: number;
  /** Adapted rows are per (task, unique row) pair: pair p copies unique row pairRow[p]. */
  pairRow: Int32Array;
}

/** Per block and slot: for every id occurrence (in padded-row order), its pair index. */
export interface SlotUse {
  tableIndex: number;
  pair: Int32Array;
  offsets: Int32Array;
}

/** A meta-batch padded for batched tasks, before its ids are looked up. */
export interface PaddedBatch {
  support: TaskBlock;
  query: TaskBlock;
  /** Tables the model's slots read, in first-use order. */
  tables: string[];
  /** Per table, every id occurrence: the table's support slots, then its query slots (what a lookup is given). */
  ids: BigInt64Array[];
  /** Per table, how many of `ids` are the support set's (they come first). */
  supportIds: number[];
}

/** A meta-batch padded for batched tasks, with its (task, row) pairs numbered per table. */
export interface PreparedBatch {
  support: TaskBlock;
  query: TaskBlock;
  tables: TableUse[];
  supportSlots: SlotUse[];
  querySlots: SlotUse[];
}

/** Pads both blocks and gathers each table's ids for one lookup of support and query. */
export function padBatch(model: BatchModel, batch: Pick<MetaBatch, "support" | "query">): PaddedBatch {
  for (const [name, blk] of [["support", batch.support], ["query", batch.query]] as const) {
    if (blk.slots.length !== model.slots.length) {
      throw new Error(`prepareBatch: expected ${model.slots.length} sparse slots (the model's) for batch.${name}, got ${blk.slots.length}`);
    }
  }
  if (batch.support.taskOffsets.length !== batch.query.taskOffsets.length) {
    throw new Error(`prepareBatch: expected as many query tasks as support tasks (${batch.support.taskOffsets.length - 1}), got ${batch.query.taskOffsets.length - 1}`);
  }
  const support = padBlock(batch.support, model.denseDim);
  const query = padBlock(batch.query, model.denseDim);
  const tables = [...new Set(model.slots.map((s) => s.table))];
  const ids = tables.map((name) => {
    const slotIdx = slotsOf(model, name);
    return concatIds([...slotIdx.map((i) => support.slots[i]!.ids), ...slotIdx.map((i) => query.slots[i]!.ids)]);
  });
  const supportIds = tables.map((name) => slotsOf(model, name).reduce((a, i) => a + support.slots[i]!.ids.length, 0));
  return { support, query, tables, ids, supportIds };
}

/**
 * Numbers the (task, row) pairs of a padded batch from the lookup's inverse index (per
 * table, the unique row of each id of `padded.ids`): the step's only dedup is the lookup's.
 */
export function numberPairs(model: BatchModel, padded: PaddedBatch, lookups: readonly { inverse: Int32Array; uniqueCount: number }[]): PreparedBatch {
  const { support, query } = padded;
  const tables: TableUse[] = [];
  const supportSlots: SlotUse[] = new Array(model.slots.length);
  const querySlots: SlotUse[] = new Array(model.slots.length);
  padded.tables.forEach((name, ti) => {
    const slotIdx = slotsOf(model, name);
    const { inverse: inv, uniqueCount: U } = lookups[ti]!;
    if (inv.length !== padded.ids[ti]!.length) {
      throw new Error(`numberPairs: expected an inverse index of ${padded.ids[ti]!.length} entries (the ids of table "${name}") for lookups[${ti}], got ${inv.length}`);
    }
    // (task, unique row) pairs: each task adapts its own copy of a row in the inner loop.
    // Pair numbers live in a dense [tasks, unique] table when that is small (the usual
    // case), else in a Map.
    const T = support.tasks;
    const dense = T * U <= 1 << 22 ? new Int32Array(T * U) : null;
    const sparse = dense ? null : new Map<number, number>();
    const pairRow: number[] = [];
    let k = 0;
    const pairsFor = (block: TaskBlock, i: number): Int32Array => {
      const slot = block.slots[i]!;
      const out = new Int32Array(slot.ids.length);
      const offsets = slot.offsets;
      for (let r = 0; r < block.tasks * block.width; r++) {
        const base = Math.floor(r / block.width) * U;
        const end = offsets[r + 1]!;
        for (let j = offsets[r]!; j < end; j++) {
          const row = inv[k++]!;
          const key = base + row;
          let p: number;
          if (dense) {
            p = dense[key]! - 1;
            if (p < 0) {
              p = pairRow.length;
              dense[key] = p + 1;
              pairRow.push(row);
            }
          } else {
            const q = sparse!.get(key);
            if (q === undefined) {
              p = pairRow.length;
              sparse!.set(key, p);
              pairRow.push(row);
            } else p = q;
          }
          out[j] = p;
        }
      }
      return out;
    };
    for (const i of slotIdx) supportSlots[i] = { tableIndex: ti, pair: pairsFor(support, i), offsets: support.slots[i]!.offsets };
    for (const i of slotIdx) querySlots[i] = { tableIndex: ti, pair: pairsFor(query, i), offsets: query.slots[i]!.offsets };
    tables.push({ table: name, uniqueCount: U, pairRow: Int32Array.from(pairRow) });
  });
  return { support, query, tables, supportSlots, querySlots };
}

/**
 * Pads, deduplicates ids per table on the host and numbers the pairs: for a learner used
 * without sharded tables (tests, benchmarks, a full table in memory). Each table's unique
 * ids come back beside the batch, in the rows' order.
 */
export function prepareBatch(model: BatchModel, batch: Pick<MetaBatch, "support" | "query">): PreparedBatch & { uniqueIds: BigInt64Array[] } {
  const padded = padBatch(model, batch);
  const u = padded.ids.map((ids) => unique(ids));
  return { ...numberPairs(model, padded, u.map((x) => ({ inverse: x.inverse, uniqueCount: x.ids.length }))), uniqueIds: u.map((x) => x.ids) };
}

function slotsOf(model: BatchModel, table: string): number[] {
  return model.slots.flatMap((s, i) => (s.table === table ? [i] : []));
}

function concatIds(parts: BigInt64Array[]): BigInt64Array {
  if (parts.length === 1) return parts[0]!;
  const out = new BigInt64Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
