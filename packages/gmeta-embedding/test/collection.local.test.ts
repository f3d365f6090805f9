// The sharded collection over in-process exchanges: every rank in this one process.
import { describe, expect, it } from "vitest";

import { backends, noGrad, tidy } from "@gmeta/tensor";
import type { Device } from "@gmeta/tensor";

import { applyGradientsTogether, createLocalExchanges, EmbeddingTable, planSharding, ShardedEmbeddingCollection } from "../src/index.js";
import type { SparseOptimizerConfig } from "../src/index.js";
import { runScenario, TABLES } from "./helpers/scenario.js";

const OPTIMIZERS: SparseOptimizerConfig[] = [
  { kind: "sgd", lr: 0.1 },
  { kind: "adagrad", lr: 0.1 },
  { kind: "adagrad", lr: 0.1, rowWise: true },
  { kind: "adam", lr: 0.05 },
];

describe("ShardedEmbeddingCollection (in-process ranks) equals the unsharded reference", () => {
  for (const world of [1, 2, 4]) {
    for (const strategy of ["table-wise", "row-wise"] as const) {
      for (const optimizer of OPTIMIZERS) {
        const label = `${optimizer.kind}${"rowWise" in optimizer && optimizer.rowWise ? "-rowwise" : ""}`;
        it(`${world} ranks, ${strategy}, ${label}`, async () => {
          const reports = await Promise.all(createLocalExchanges(world).map((g) => runScenario(g, { strategy, optimizer, steps: 4 })));
          for (const r of reports) {
            expect(r.firstLookupDiff).toBe(0);
            expect(r.worstLookupDiff).toBeLessThan(2e-6);
            expect(r.worstRowDiff).toBeLessThan(2e-6);
            expect(r.worstStateDiff).toBeLessThan(2e-6);
            // Dedup: the rows requested are exactly the unique ids of this rank's batches.
            expect(r.requested).toBe(r.uniqueLocal);
            expect(r.requested).toBeLessThan(r.idsLocal);
            expect(r.allToAllCalls).toBe(2 * 4);
            expect(r.updateAllToAllCalls).toBe(4);
          }
        });
      }
    }
  }
});

// The host and the GPU share one exchange (rows as tensors); on a GPU it runs on cuda:0 with
// the CUDA gather and fused optimizer kernels.
const cuda = backends().cuda;
const GPU_DEVICES: { label: string; device: Device }[] = cuda.available ? [{ label: "cuda:0", device: "cuda:0" }] : [];
if (!cuda.available) console.info(`[gmeta-embedding tests] cuda: the collection on cuda:0 is skipped (${cuda.reason})`);

describe.runIf(cuda.available)("rows on a GPU equal the unsharded reference", () => {
  for (const { label, device } of GPU_DEVICES) {
    for (const world of [1, 2, 3]) {
      for (const optimizer of OPTIMIZERS) {
        const name = `${optimizer.kind}${"rowWise" in optimizer && optimizer.rowWise ? "-rowwise" : ""}`;
        it(`${label}, ${world} ranks, row-wise, ${name}`, async () => {
          const reports = await Promise.all(
            createLocalExchanges(world).map((g) => runScenario(g, { strategy: "row-wise", optimizer, steps: 4, device })),
          );
          // Three ranks sum duplicate gradients in another order than the reference; element-
          // wise Adagrad divides by sqrt(Σg²) of each element, which magnifies that rounding
          // where a sum nearly cancels (seen: 2.9e-6 on the host path as well).
          const tol = optimizer.kind === "adagrad" && !optimizer.rowWise && world === 3 ? 1e-5 : 2e-6;
          for (const r of reports) {
            expect(r.firstLookupDiff).toBe(0);
            expect(r.worstLookupDiff).toBeLessThan(tol);
            expect(r.worstRowDiff).toBeLessThan(tol);
            expect(r.worstStateDiff).toBeLessThan(tol);
            expect(r.requested).toBe(r.uniqueLocal);
            expect(r.allToAllCalls).toBe(2 * 4);
            expect(r.updateAllToAllCalls).toBe(4);
          }
        });
      }
    }
    it(`${label}, without dedup (owners sum duplicates on the device)`, async () => {
      const reports = await Promise.all(
        createLocalExchanges(2).map((g) => runScenario(g, { strategy: "table-wise", optimizer: { kind: "adam", lr: 0.05 }, steps: 3, dedup: false, device })),
      );
      for (const r of reports) {
        expect(r.requested).toBe(r.idsLocal);
        expect(r.worstRowDiff).toBeLessThan(2e-6);
        expect(r.worstStateDiff).toBeLessThan(2e-6);
      }
    });
  }
});

describe("without dedup", () => {
  it("sends every id and still equals the reference (owners sum the duplicates)", async () => {
    const reports = await Promise.all(createLocalExchanges(2).map((g) => runScenario(g, { strategy: "row-wise", optimizer: { kind: "adam", lr: 0.05 }, steps: 3, dedup: false })));
    for (const r of reports) {
      expect(r.requested).toBe(r.idsLocal);
      expect(r.worstRowDiff).toBeLessThan(2e-6);
      expect(r.worstStateDiff).toBeLessThan(2e-6);
    }
  });
});

describe("ShardedEmbeddingCollection errors", () => {
  const plan = planSharding({ tables: TABLES, worldSize: 2 });

  it("rejects a plan for another world size or other tables", () => {
    const [g] = createLocalExchanges(1);
    expect(() => new ShardedEmbeddingCollection({ tables: TABLES, plan, processGroup: g!, optimizer: { kind: "sgd", lr: 1 } })).toThrow(
      "ShardedEmbeddingCollection: bad plan: made for world size 2, but the process group has 1 ranks",
    );
    const [a] = createLocalExchanges(2);
    const other = TABLES.map((t) => (t.name === "user" ? { ...t, rows: 51 } : t));
    expect(() => new ShardedEmbeddingCollection({ tables: other, plan, processGroup: a!, optimizer: { kind: "sgd", lr: 1 } })).toThrow(
      /table "user" is 50×4 in the plan but 51×4 in the config/,
    );
  });

  it("rejects bad ids, tables and offsets, naming them", async () => {
    const [g] = createLocalExchanges(1);
    const coll = new ShardedEmbeddingCollection({ tables: TABLES, plan: planSharding({ tables: TABLES, worldSize: 1 }), processGroup: g!, optimizer: { kind: "sgd", lr: 1 } });
    await expect(coll.lookup({ user: new BigInt64Array([3n, 50n]) })).rejects.toThrow(/id 50 at position 1 is outside table "user"/);
    await expect(coll.lookup({ nope: new BigInt64Array([1n]) })).rejects.toThrow(/no table "nope"/);
    await expect(coll.lookup({ tag: { ids: new BigInt64Array([1n]), offsets: new Int32Array([0, 2]) } })).rejects.toThrow(/offsets from 0 to 1/);
    const r = await coll.lookup({ user: new BigInt64Array([1n, 1n]) });
    await expect(r.applyGradients({})).rejects.toThrow(/missing gradients for table "user"/);
    await expect(r.applyGradients({ user: new Float32Array(8) })).rejects.toThrow(/expected \[1, 4\] \(the unique rows of the lookup\) for gradients of table "user", got 8 floats/);
    r.dispose();
  });

  it("fails every rank together when one rank's ids are bad, and exchanges no rows", async () => {
    const colls = createLocalExchanges(2).map((g) => new ShardedEmbeddingCollection({ tables: TABLES, plan, processGroup: g, optimizer: { kind: "sgd", lr: 1 } }));
    const results = await Promise.allSettled([colls[0]!.lookup({ user: new BigInt64Array([1n]) }), colls[1]!.lookup({ user: new BigInt64Array([77n]) })]);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/rank 1 rejected its lookup input \(see its error\); no rows were exchanged/);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/id 77 at position 0 is outside table "user"/);
    // The group is still in step: the next lookup works on both ranks.
    const ok = await Promise.all(colls.map((c) => c.lookup({ user: new BigInt64Array([BigInt(c.rank)]) })));
    expect(ok.map((r) => r.get("user").values.shape)).toEqual([[1, 4], [1, 4]]);
  });
});

describe("one lookup for support and query", () => {
  it("dedups across the support and query ids of a meta-batch and uses two AlltoAllV", async () => {
    const ex = createLocalExchanges(2);
    const plan = planSharding({ tables: TABLES, worldSize: 2, constraints: { user: { strategy: "row-wise" } } });
    const colls = ex.map((g) => new ShardedEmbeddingCollection({ tables: TABLES, plan, processGroup: g, optimizer: { kind: "sgd", lr: 0.1 } }));
    const support = new BigInt64Array([1n, 2n, 3n, 40n]);
    const query = new BigInt64Array([2n, 3n, 41n]);
    const both = new BigInt64Array([...support, ...query]);
    const results = await Promise.all(colls.map((c) => c.lookup({ user: both })));
    for (const [k, c] of colls.entries()) {
      const r = results[k]!.get("user");
      expect(r.values.shape).toEqual([7, 4]);
      expect(Array.from(r.uniqueRows)).toEqual([1, 2, 3, 40, 41]);
      expect(c.counters.lookup.requestedRows).toBe(5);
      expect(c.counters.lookup.allToAllCalls).toBe(2);
      // Rows 40 and 41 live on rank 1 (blocks of 25): remote for rank 0 only.
      expect(c.counters.lookup.remoteRows).toBe(k === 0 ? 2 : 3);
      expect(c.counters.lookup.remoteRowsWithoutDedup).toBe(k === 0 ? 2 : 5);
    }
    results.forEach((r) => r.dispose());
  });
});

describe("lookup values", () => {
  it("are built on first read, survive a tidy, and follow the grad mode of the lookup", async () => {
    const [g] = createLocalExchanges(1);
    const coll = new ShardedEmbeddingCollection({ tables: TABLES, plan: planSharding({ tables: TABLES, worldSize: 1 }), processGroup: g!, optimizer: { kind: "sgd", lr: 1 } });
    const r = await coll.lookup({ user: new BigInt64Array([4n, 4n, 9n]) });
    const inside = tidy(() => r.get("user").values);
    expect(inside.disposed).toBe(false);
    expect(inside).toBe(r.get("user").values);
    expect(inside.requiresGrad).toBe(true);
    expect(r.get("user").unique.shape).toEqual([2, 4]);
    const off = await noGradAsync(() => coll.lookup({ user: new BigInt64Array([1n]) }));
    expect(off.get("user").values.requiresGrad).toBe(false);
    r.dispose();
    off.dispose();
    expect(inside.disposed).toBe(true);
  });
});

/** Starts an async call with recording off (the lookup reads the mode synchronously). */
function noGradAsync<T>(fn: () => Promise<T>): Promise<T> {
  return noGrad(fn);
}

describe("the lookup session", () => {
  const plan3 = planSharding({ tables: TABLES, worldSize: 3, constraints: { user: { strategy: "row-wise" }, tag: { strategy: "row-wise" } } });
  const open3 = () => createLocalExchanges(3).map((g) => new ShardedEmbeddingCollection({ tables: TABLES, plan: plan3, processGroup: g, optimizer: { kind: "sgd", lr: 0.5 } }));

  it("takes its gradients once, and none after dispose, with clear errors", async () => {
    const [g] = createLocalExchanges(1);
    const coll = new ShardedEmbeddingCollection({ tables: TABLES, plan: planSharding({ tables: TABLES, worldSize: 1 }), processGroup: g!, optimizer: { kind: "sgd", lr: 1 } });
    const s = await coll.lookup({ user: new BigInt64Array([2n, 2n, 5n]) });
    expect(s.leaves()).toEqual([s.get("user").unique]);
    expect(Array.from(s.get("user").inverse)).toEqual([0, 0, 1]);
    const before = Array.from(coll.localShard("user")!.weights.subarray(8, 12));
    await s.applyGradients({ user: new Float32Array(8).fill(1) });
    expect(Array.from(coll.localShard("user")!.weights.subarray(8, 12))).toEqual(before.map((v) => Math.fround(v - 1)));
    await expect(s.applyGradients({ user: new Float32Array(8) })).rejects.toThrow(
      /LookupSession.applyGradients: expected a lookup session whose gradients are not yet applied, got one already applied/,
    );
    const t = await coll.lookup({ user: new BigInt64Array([1n]) });
    t.dispose();
    expect(t.get("user").unique.disposed).toBe(true);
    await expect(t.applyGradients({ user: new Float32Array(4) })).rejects.toThrow(/LookupSession.applyGradients: expected a live lookup session, got one already disposed/);
    await expect(t.push({ user: new Float32Array(4) })).rejects.toThrow(/LookupSession.push: expected a live lookup session, got one already disposed/);
    expect(coll.step("user")).toBe(1);
    s.dispose();
  });

  it("pushes rows over the lookup's route: each owner receives exactly its rows, equal to the unsharded table's", async () => {
    const colls = open3();
    const ref = Object.fromEntries(TABLES.map((t) => [t.name, new EmbeddingTable({ ...t })]));
    const ids = [[1n, 30n, 30n, 49n, 7n], [49n, 0n, 26n], [12n, 13n, 40n, 1n]].map((a) => BigInt64Array.from(a));
    const tagIds = [[3n, 19n], [], [0n, 19n, 10n]].map((a) => BigInt64Array.from(a));
    const sessions = await Promise.all(colls.map((c, r) => c.lookup({ user: ids[r]!, tag: tagIds[r]! })));
    const got = await Promise.all(sessions.map((s) => s.push({ user: s.get("user").unique, tag: s.get("tag").unique })));
    for (const [name, asked] of [["user", ids], ["tag", tagIds]] as const) {
      const shards = colls.map((c) => c.localShard(name));
      const want = new Map<number, number>(); // row -> how many ranks asked for it
      for (const list of asked) for (const row of new Set(Array.from(list, Number))) want.set(row, (want.get(row) ?? 0) + 1);
      let seen = 0;
      got.forEach((g, r) => {
        const shard = shards[r];
        if (!shard) return expect(g[name]).toBeUndefined();
        const p = g[name]!;
        const values = p.values.toArray() as Float32Array;
        const dim = ref[name]!.config.dim;
        p.rows.forEach((row, k) => {
          expect(row >= shard.rowStart && row < shard.rowStart + shard.rowCount, `${name} row ${row} at rank ${r}`).toBe(true);
          expect(Array.from(values.subarray(k * dim, (k + 1) * dim))).toEqual(Array.from(ref[name]!.weights.subarray(row * dim, (row + 1) * dim)));
        });
        seen += p.rows.length;
        for (const row of new Set(p.rows)) expect(p.rows.filter((x) => x === row).length, `${name} row ${row}`).toBe(want.get(row));
      });
      expect(seen).toBe([...want.values()].reduce((a, b) => a + b, 0));
    }
    // A push applies nothing and leaves the session's gradients to come.
    expect(colls[0]!.step("user")).toBe(0);
    expect(colls[0]!.counters.push.allToAllCalls).toBe(1);
    await Promise.all(sessions.map((s) => s.applyGradients({ user: new Float32Array(s.get("user").unique.numel), tag: new Float32Array(s.get("tag").unique.numel) })));
    expect(colls.map((c) => c.step("user"))).toEqual([1, 1, 1]);
    sessions.forEach((s) => s.dispose());
  });

  it("applies several sessions' gradients as one update (duplicates across sessions summed)", async () => {
    const colls = open3();
    const ref = new EmbeddingTable({ ...TABLES[0]!, optimizer: { kind: "sgd", lr: 0.5 } });
    const a = [[1n, 30n], [30n], [49n, 1n]].map((x) => BigInt64Array.from(x));
    const b = [[30n, 2n], [1n, 49n], []].map((x) => BigInt64Array.from(x));
    const sa = await Promise.all(colls.map((c, r) => c.lookup({ user: a[r]! })));
    const sb = await Promise.all(colls.map((c, r) => c.lookup({ user: b[r]! })));
    const fill = (n: number, v: number) => new Float32Array(n).fill(v);
    await Promise.all(colls.map((_, r) => applyGradientsTogether([sa[r]!, sb[r]!], [
      { user: fill(sa[r]!.get("user").unique.numel, 1) }, { user: fill(sb[r]!.get("user").unique.numel, 2) },
    ])));
    const flat = (l: BigInt64Array[]) => l.flatMap((x) => Array.from(x));
    ref.applyGradients(BigInt64Array.from([...flat(a), ...flat(b)]), Float32Array.from([...flat(a).map(() => [1, 1, 1, 1]), ...flat(b).map(() => [2, 2, 2, 2])].flat()));
    const all = new Float32Array(50 * 4);
    for (const c of colls) {
      const s = c.localShard("user");
      if (s) all.set(s.weights, s.rowStart * 4);
    }
    expect(Array.from(all)).toEqual(Array.from(ref.weights));
    expect(colls.map((c) => c.step("user"))).toEqual([1, 1, 1]);
    await expect(sa[0]!.applyGradients({ user: fill(8, 0) })).rejects.toThrow(/already applied/);
    [...sa, ...sb].forEach((s) => s.dispose());
  });
});
