import type { MetaBatch } from "@gmeta/io";
import type { MetaModel } from "../models/MetaModel.js";
import { unique } from "./Dedup.js";
import type { TaskBlock } from "./TaskBlock.js";
import { padBlock } from "./TaskBlock.js";

/** Per embedding table: the unique ids of the whole meta-batch and the (task, row) pairs. */
export interface TableUse {
  table: string;
  /** Unique ids over support and query (one lookup for both, as in the G-Meta step). */
  ids: BigInt64Array;
  /** Adapted rows are per (task, unique id) pair: pair p copies unique row pairRow[p]. */
  pairRow: Int32Array;
}

/** Per block and slot: for every id occurrence (in padded-row order), its pair index. */
export interface SlotUse {
  tableIndex: number;
  pair: Int32Array;
  offsets: Int32Array;
}

/** A meta-batch padded for batched tasks, with ids deduplicated per table. */
export interface PreparedBatch {
  support: TaskBlock;
  query: TaskBlock;
  tables: TableUse[];
  supportSlots: SlotUse[];
  querySlots: SlotUse[];
}

/** Pads the blocks, deduplicates ids per table, and builds the (task, id) pairs. */
export function prepareBatch(model: MetaModel, batch: Pick<MetaBatch, "support" | "query">): PreparedBatch {
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
  const tableNames = [...new Set(model.slots.map((s) => s.table))];
  const tables: TableUse[] = [];
  const supportSlots: SlotUse[] = new Array(model.slots.length);
  const querySlots: SlotUse[] = new Array(model.slots.length);
  tableNames.forEach((name, ti) => {
    const slotIdx = model.slots.flatMap((s, i) => (s.table === name ? [i] : []));
    const lists = [...slotIdx.map((i) => support.slots[i]!.ids), ...slotIdx.map((i) => query.slots[i]!.ids)];
    const u = unique(...lists);
    // (task, unique id) pairs: each task adapts its own copy of a row in the inner loop.
    // Pair numbers live in a dense [tasks, unique] table when that is small (the usual
    // case), else in a Map.
    const U = u.ids.length;
    const T = support.tasks;
    const dense = T * U <= 1 << 22 ? new Int32Array(T * U) : null;
    const sparse = dense ? null : new Map<number, number>();
    const pairRow: number[] = [];
    let k = 0;
    const pairsFor = (block: TaskBlock, i: number): Int32Array => {
      const slot = block.slots[i]!;
      const out = new Int32Array(slot.ids.length);
      const offsets = slot.offsets;
      const inv = u.inverse;
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
    tables.push({ table: name, ids: u.ids, pairRow: Int32Array.from(pairRow) });
  });
  return { support, query, tables, supportSlots, querySlots };
}
