// A lookup given ids deduplicated ahead of time (dedupRows, as batch preparation does in a
// loader's workers) is the lookup of the raw ids: same rows, inverse, E_U, traffic and update.
import { describe, expect, it } from "vitest";

import { createLocalExchanges, dedupRows, planSharding, ShardedEmbeddingCollection } from "../src/index.js";
import type { DedupedRows } from "../src/index.js";
import { TABLES } from "./helpers/scenario.js";

/** Random ids with repeats; hashed tables get ids far outside their row count. */
function randomIds(seed: number, n: number, range: bigint): BigInt64Array {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
  return BigInt64Array.from({ length: n }, () => BigInt(next() % 997) % range);
}

const open = (world: number, dedup = true) => {
  const plan = planSharding({ tables: TABLES, worldSize: world, constraints: { user: { strategy: "row-wise" }, item: { strategy: "row-wise" } } });
  return createLocalExchanges(world).map((g) => new ShardedEmbeddingCollection({ tables: TABLES, plan, processGroup: g, optimizer: { kind: "adagrad", lr: 0.1 }, dedup }));
};

const ids = (rank: number, step: number) => ({
  user: randomIds(rank * 31 + step, 40, 50n),
  item: randomIds(rank * 17 + step + 5, 33, 1n << 40n),
  tag: randomIds(rank * 7 + step + 9, 18, 20n),
});

describe("a lookup of pre-deduplicated ids", () => {
  for (const dedup of [true, false]) {
    it(`equals the lookup of the raw ids on 2 ranks (rows, inverse, E_U, counters, updates; dedup ${dedup ? "on" : "off"})`, async () => {
      const raw = open(2, dedup);
      const pre = open(2, dedup);
      for (let step = 0; step < 3; step++) {
        const asked = raw.map((_, r) => ids(r, step));
        const deduped = asked.map((a) => Object.fromEntries(TABLES.map((t) => [t.name, dedupRows(raw[0]!.tables.find((x) => x.name === t.name)!, a[t.name as keyof typeof a], dedup)])));
        const [a, b] = await Promise.all([Promise.all(raw.map((c, r) => c.lookup(asked[r]!))), Promise.all(pre.map((c, r) => c.lookup(deduped[r]!)))]);
        for (let r = 0; r < 2; r++) {
          for (const t of TABLES) {
            const x = a[r]!.get(t.name);
            const y = b[r]!.get(t.name);
            expect(Array.from(y.uniqueRows), `${t.name}, rank ${r}: unique rows`).toEqual(Array.from(x.uniqueRows));
            expect(Array.from(y.inverse), `${t.name}, rank ${r}: inverse`).toEqual(Array.from(x.inverse));
            expect(Array.from(y.unique.toArray() as Float32Array), `${t.name}, rank ${r}: E_U`).toEqual(Array.from(x.unique.toArray() as Float32Array));
          }
          expect(pre[r]!.counters).toEqual(raw[r]!.counters);
        }
        // The same gradients on both: the tables stay equal after the update.
        const grads = a.map((s) => Object.fromEntries(TABLES.map((t) => [t.name, Float32Array.from({ length: s.get(t.name).uniqueRows.length * t.dim }, (_, i) => Math.sin(i + step))])));
        await Promise.all([...a.map((s, r) => s.applyGradients(grads[r]!)), ...b.map((s, r) => s.applyGradients(grads[r]!))]);
        [...a, ...b].forEach((s) => s.dispose());
      }
      for (let r = 0; r < 2; r++) {
        for (const t of TABLES) {
          const x = raw[r]!.localShard(t.name);
          expect(Array.from(pre[r]!.localShard(t.name)?.weights ?? []), `${t.name}, rank ${r}: rows after 3 updates`).toEqual(Array.from(x?.weights ?? []));
        }
      }
      expect(raw[0]!.step("user")).toBe(3);
      [...raw, ...pre].forEach((c) => c.dispose());
    });
  }

  it("rejects input that is not a dedup of the table's rows, naming the table and the entry", async () => {
    const [coll] = open(1);
    const bad = async (d: DedupedRows, re: RegExp) => expect(coll!.lookup({ user: d })).rejects.toThrow(re);
    await bad({ unique: Int32Array.from([1, 4, 1]), inverse: Int32Array.from([0, 1, 2]) }, /expected distinct unique rows for deduplicated ids of table "user" \(unique\), got 1 repeated/);
    await bad({ unique: Int32Array.from([1, 50]), inverse: Int32Array.from([0, 1]) }, /expected rows in \[0, 50\) for deduplicated ids of table "user" \(unique\[1\]\), got 50/);
    await bad({ unique: Int32Array.from([1, 4]), inverse: Int32Array.from([0, 2, 1]) }, /expected positions in \[0, 2\) \(the unique rows\) for deduplicated ids of table "user" \(inverse\[1\]\), got 2/);
    await expect(coll!.lookup({ user: { unique: [1, 2], inverse: Int32Array.from([0, 1]) } as unknown as DedupedRows })).rejects.toThrow(/expected an Int32Array of unique rows for deduplicated ids of table "user" \(unique\), got an array of length 2/);
    const [noDedup] = open(1, false);
    await expect(noDedup!.lookup({ user: { unique: Int32Array.from([1, 4]), inverse: Int32Array.from([0, 1, 0]) } })).rejects.toThrow(
      /expected 3 rows, one per id \(the collection does not dedup\) for deduplicated ids of table "user" \(unique\), got 2 rows/,
    );
    expect(() => dedupRows(coll!.tables[0]!, BigInt64Array.from([3n, 50n]))).toThrow(/dedupRows: id 50 at position 1 is outside table "user"/);
    coll!.dispose();
    noDedup!.dispose();
  });

  it("checks hundreds of prepared lookups in a row (the check's table is reused), and still catches a repeat after them", async () => {
    const [coll] = open(1);
    const t = coll!.tables.find((x) => x.name === "user")!;
    // Batches of every size up to the table's rows, so the reused table sees full loads and
    // colliding keys; a table left dirty between calls would report repeats or never finish.
    for (let step = 0; step < 400; step++) {
      const d = dedupRows(t, randomIds(step, 1 + (step % 97), 50n));
      const s = await coll!.lookup({ user: d });
      expect(Array.from(s.get("user").uniqueRows), `step ${step}`).toEqual(Array.from(d.unique));
      s.dispose();
    }
    await expect(coll!.lookup({ user: { unique: Int32Array.from([7, 3, 9, 3]), inverse: Int32Array.from([0, 1, 2, 3]) } })).rejects.toThrow(/got 1 repeated/);
    coll!.dispose();
  });
});
