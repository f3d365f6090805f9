// prepareBatch's fast paths (word-pair hashing, dense pair tables, word copies) against a
// plain reference written with Maps of bigints, on fresh random batches.
import type { SampleBlock } from "@gmeta/io";
import { describe, expect, it } from "vitest";

import { unique } from "../src/data/Dedup.js";
import { prepareBatch } from "../src/data/PreparedBatch.js";
import { MetaDLRM } from "../src/models/MetaDLRM.js";
import { rng } from "./fixtures.js";

function refUnique(...lists: BigInt64Array[]): { ids: bigint[]; inverse: number[] } {
  const pos = new Map<bigint, number>();
  const ids: bigint[] = [];
  const inverse: number[] = [];
  for (const l of lists) {
    for (const id of l) {
      if (!pos.has(id)) {
        pos.set(id, ids.length);
        ids.push(id);
      }
      inverse.push(pos.get(id)!);
    }
  }
  return { ids, inverse };
}

/** Ids from a small pool of awkward values: negatives, both words set, equal low words. */
function idPool(r: () => number, n: number): bigint[] {
  return Array.from({ length: n }, (_, i) => {
    const hi = BigInt(Math.floor(r() * 2 ** 31)) * (r() < 0.5 ? -1n : 1n);
    return i % 3 === 0 ? BigInt(i) : (hi << 32n) + BigInt(i % 7);
  });
}

function block(r: () => number, tasks: number[], pools: bigint[][], multi: boolean[], D: number): SampleBlock {
  const size = tasks.reduce((a, b) => a + b, 0);
  const taskOffsets = Int32Array.from({ length: tasks.length + 1 }, (_, t) => tasks.slice(0, t).reduce((a, b) => a + b, 0));
  const slots = pools.map((pool, s) => {
    const ids: bigint[] = [];
    const offsets = new Int32Array(size + 1);
    for (let i = 0; i < size; i++) {
      const len = multi[s] ? Math.floor(r() * 4) : 1; // multi-hot bags may be empty
      for (let j = 0; j < len; j++) ids.push(pool[Math.floor(r() * pool.length)]!);
      offsets[i + 1] = ids.length;
    }
    return { ids: BigInt64Array.from(ids), offsets };
  });
  return { size, labels: Float32Array.from({ length: size }, () => (r() < 0.5 ? 1 : 0)), dense: Float32Array.from({ length: size * D }, () => r()), slots, taskOffsets };
}

describe("prepareBatch against a plain reference", () => {
  it("unique: first-seen order and inverse, for awkward 64-bit ids", () => {
    const r = rng(11);
    for (let trial = 0; trial < 20; trial++) {
      const pool = idPool(r, 1 + Math.floor(r() * 300));
      const lists = Array.from({ length: 1 + Math.floor(r() * 3) }, () => BigInt64Array.from({ length: Math.floor(r() * 500) }, () => pool[Math.floor(r() * pool.length)]!));
      const got = unique(...lists);
      const want = refUnique(...lists);
      expect(Array.from(got.ids)).toEqual(want.ids);
      expect(Array.from(got.inverse)).toEqual(want.inverse);
    }
    expect(unique().ids.length).toBe(0);
  });

  it("pads blocks and numbers (task, id) pairs as the reference does, slots sharing a table", () => {
    const r = rng(12);
    const D = 3;
    const model = new MetaDLRM({
      denseDim: D, embeddingDim: 2, bottom: [3], top: [3],
      slots: [{ name: "a", table: "t0", pooling: "sum" }, { name: "b", table: "t1", pooling: "mean" }, { name: "c", table: "t0", pooling: "sum" }],
    });
    for (let trial = 0; trial < 10; trial++) {
      const T = 1 + Math.floor(r() * 6);
      const sizes = () => Array.from({ length: T }, () => Math.floor(r() * 5)); // empty tasks too
      const pools = [idPool(r, 40), idPool(r, 9), idPool(r, 40)];
      pools[2] = pools[0]!; // slots a and c read one table
      const multi = [false, true, true];
      const batch = { support: block(r, sizes(), pools, multi, D), query: block(r, sizes(), pools, multi, D) };
      const pb = prepareBatch(model, batch);
      // Reference, straight from the definitions.
      for (const [name, blk, pad, uses] of [["support", batch.support, pb.support, pb.supportSlots], ["query", batch.query, pb.query, pb.querySlots]] as const) {
        const width = pad.width;
        for (let t = 0; t < T; t++) {
          const n = blk.taskOffsets[t + 1]! - blk.taskOffsets[t]!;
          for (let j = 0; j < width; j++) {
            const row = t * width + j;
            const s = j < n ? blk.taskOffsets[t]! + j : -1;
            expect(pad.source[row], `${name} source`).toBe(s);
            expect(pad.mask[row]).toBe(s >= 0 ? 1 : 0);
            expect(pad.labels[row]).toBe(s >= 0 ? blk.labels[s] : 0);
            for (let d = 0; d < D; d++) expect(pad.dense[row * D + d]).toBe(s >= 0 ? blk.dense[s * D + d] : 0);
            blk.slots.forEach((slot, i) => {
              const ids = s >= 0 ? Array.from(slot.ids.subarray(slot.offsets[s]!, slot.offsets[s + 1]!)) : [];
              const ps = pad.slots[i]!;
              expect(Array.from(ps.ids.subarray(ps.offsets[row]!, ps.offsets[row + 1]!))).toEqual(ids);
              // Each occurrence's pair is (this task, this id) of its table.
              const table = pb.tables[uses[i]!.tableIndex]!;
              for (let j2 = ps.offsets[row]!; j2 < ps.offsets[row + 1]!; j2++) {
                const p = uses[i]!.pair[j2]!;
                expect(pb.uniqueIds[uses[i]!.tableIndex]![table.pairRow[p]!]).toBe(ps.ids[j2]);
                expect(pairTask.get(`${table.table}/${p}`) ?? t).toBe(t);
                pairTask.set(`${table.table}/${p}`, t);
              }
            });
          }
        }
      }
      // Pairs are exactly the distinct (task, id) combinations, numbered in first-seen order.
      for (const tu of pb.tables) {
        const seen = new Map<string, number>();
        const order: string[] = [];
        const slotIdx = model.slots.flatMap((s, i) => (s.table === tu.table ? [i] : []));
        for (const [pad, uses] of [[pb.support, pb.supportSlots], [pb.query, pb.querySlots]] as const) {
          for (const i of slotIdx) {
            const ps = pad.slots[i]!;
            for (let row = 0; row < pad.tasks * pad.width; row++) {
              for (let j = ps.offsets[row]!; j < ps.offsets[row + 1]!; j++) {
                const key = `${Math.floor(row / pad.width)}/${ps.ids[j]}`;
                if (!seen.has(key)) {
                  seen.set(key, order.length);
                  order.push(key);
                }
                expect(uses[i]!.pair[j]).toBe(seen.get(key));
              }
            }
          }
        }
        expect(tu.pairRow.length).toBe(order.length);
        const all = slotIdx.flatMap((i) => [batch.support.slots[i]!.ids]).concat(slotIdx.map((i) => batch.query.slots[i]!.ids));
        expect(Array.from(pb.uniqueIds[pb.tables.indexOf(tu)]!)).toEqual(refUnique(...all).ids);
        expect(tu.uniqueCount).toBe(refUnique(...all).ids.length);
      }
      pairTask.clear();
    }
  });
});

const pairTask = new Map<string, number>();
