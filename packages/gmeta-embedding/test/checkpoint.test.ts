// Checkpoints over in-process ranks: resharding 4 → 2 → 1 bit for bit, and refusals by message.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { backends } from "@gmeta/tensor";
import type { Device } from "@gmeta/tensor";

import { createLocalExchanges, planSharding, ShardedEmbeddingCollection } from "../src/index.js";
import type { ShardingPlan, SparseOptimizerConfig, TableConfig } from "../src/index.js";
import { TABLES } from "./helpers/scenario.js";
import { mixed4 as mixedPlan4, rowWise } from "./helpers/plans.js";
import { assemble } from "./helpers/assemble.js";
import { lookupAllRows, trainSteps } from "./helpers/train.js";

const root = mkdtempSync(join(tmpdir(), "gmeta-emb-ckpt-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const ADAM: SparseOptimizerConfig = { kind: "adam", lr: 0.05 };

function collections(
  world: number, plan: ShardingPlan, tables: TableConfig[] = TABLES, optimizer: SparseOptimizerConfig = ADAM, device: Device = "cpu",
): ShardedEmbeddingCollection[] {
  return createLocalExchanges(world).map((g) => new ShardedEmbeddingCollection({ tables, plan, processGroup: g, optimizer, device }));
}

const cuda = backends().cuda;
if (!cuda.available) console.info(`[gmeta-embedding tests] cuda: checkpoints on cuda:0 are skipped (${cuda.reason})`);
const DEVICES: Device[] = ["cpu", ...(cuda.available ? ["cuda:0" as Device] : [])];

describe("checkpoints across devices", () => {
  for (const device of DEVICES) {
    it(`a host checkpoint loads into rows on ${device}, which then train as rows on the host do`, async () => {
      const host = collections(2, rowWise(2));
      await Promise.all(host.map((c) => trainSteps(c, 2)));
      const dir = join(root, `dev-${device}`);
      await Promise.all(host.map((c) => c.save(dir)));
      const one = planSharding({ tables: TABLES, worldSize: 1 });
      const [moved] = collections(1, one, TABLES, ADAM, device);
      const [ref] = collections(1, one);
      await moved!.load(dir);
      await ref!.load(dir);
      expect(assemble([moved!])).toEqual(assemble(host));
      expect(await lookupAllRows(moved!)).toEqual(await lookupAllRows(ref!));
      await trainSteps(moved!, 2);
      await trainSteps(ref!, 2);
      const a = assemble([ref!]);
      const b = assemble([moved!]);
      for (const k of Object.keys(a)) {
        let worst = 0;
        a[k]!.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b[k]![i]!))));
        expect(worst, k).toBeLessThan(2e-6);
      }
      expect(moved!.step("user")).toBe(4);
      moved!.dispose();
    });
  }
});

describe("checkpoints", () => {
  const mixed4 = mixedPlan4();
  const rowWise2 = rowWise(2);
  const one = planSharding({ tables: TABLES, worldSize: 1 });

  it("reshards 4 → 2 → 1 with bit-for-bit rows, optimizer state, steps and lookups", async () => {
    const four = collections(4, mixed4);
    await Promise.all(four.map((c) => trainSteps(c, 3)));
    const want = assemble(four);
    const lookup4 = (await Promise.all(four.map((c) => lookupAllRows(c))))[0]!;
    await Promise.all(four.map((c) => c.save(join(root, "a"))));
    expect(existsSync(join(root, "a.tmp"))).toBe(false);
    const manifest = JSON.parse(readFileSync(join(root, "a", "manifest.json"), "utf8"));
    expect(manifest.worldSize).toBe(4);
    expect(manifest.steps).toEqual({ user: 3, item: 3, tag: 3 });

    const two = collections(2, rowWise2);
    await Promise.all(two.map((c) => c.load(join(root, "a"))));
    expect(assemble(two)).toEqual(want);
    const lookup2 = (await Promise.all(two.map((c) => lookupAllRows(c))))[0]!;
    expect(lookup2).toEqual(lookup4);
    await Promise.all(two.map((c) => c.save(join(root, "b"))));

    const [single] = collections(1, one);
    await single!.load(join(root, "b"));
    expect(assemble([single!])).toEqual(want);
    expect(await lookupAllRows(single!)).toEqual(lookup4);
    expect(single!.step("item")).toBe(3);
    expect(single!.localShard("item")!.step).toBe(3);

  });

  it("replaces an existing checkpoint atomically and ignores a stale temp folder", async () => {
    const [c] = collections(1, one);
    mkdirSync(join(root, "c.tmp"), { recursive: true });
    writeFileSync(join(root, "c.tmp", "junk"), "x");
    await c!.save(join(root, "c"));
    await trainSteps(c!, 1);
    await c!.save(join(root, "c"));
    const m = JSON.parse(readFileSync(join(root, "c", "manifest.json"), "utf8"));
    expect(m.steps.user).toBe(1);
    expect(existsSync(join(root, "c", "junk"))).toBe(false);
  });

  it("refuses damaged and mismatched checkpoints, naming what differs, and changes nothing", async () => {
    const [c] = collections(1, one);
    await trainSteps(c!, 1);
    const dir = join(root, "d");
    await c!.save(dir);
    const load = async (tables = TABLES, optimizer: SparseOptimizerConfig = ADAM, d = dir) => {
      const [x] = collections(1, planSharding({ tables, worldSize: 1 }), tables, optimizer);
      await x!.load(d);
      return x!;
    };
    await expect(load(TABLES.map((t) => (t.name === "user" ? { ...t, rows: 60 } : t)))).rejects.toThrow(
      /table "user" is 50 rows × 4 in the checkpoint but 60 × 4 here/,
    );
    await expect(load(TABLES.map((t) => (t.name === "item" ? { ...t, hash: false } : t)))).rejects.toThrow(/table "item" has hash: true in the checkpoint but false here/);
    await expect(load([...TABLES, { name: "extra", rows: 3, dim: 2 }])).rejects.toThrow(/table "extra" is in this collection but not in the checkpoint/);
    await expect(load(TABLES.slice(0, 2))).rejects.toThrow(/table "tag" is in the checkpoint but not in this collection/);
    await expect(load(TABLES, { kind: "adagrad", lr: 1 })).rejects.toThrow(/optimizer state is adam in the checkpoint but adagrad here/);
    await expect(load(TABLES, ADAM, join(root, "nope"))).rejects.toThrow(/manifest.json is missing/);

    const file = join(dir, "user.shard-0.bin");
    const good = readFileSync(file);
    const bad = Buffer.from(good);
    bad[17]! ^= 0x40;
    writeFileSync(file, bad);
    const [x] = collections(1, one);
    const before = x!.localShard("user")!.weights.slice();
    await expect(x!.load(dir)).rejects.toThrow(/checkpoint .*\/d: file user.shard-0.bin is damaged: sha256 [0-9a-f]{16}… but the manifest says [0-9a-f]{16}…/);
    expect(x!.localShard("user")!.weights).toEqual(before);
    writeFileSync(file, good.subarray(0, 100));
    await expect(load()).rejects.toThrow(/file user.shard-0.bin has 100 bytes, expected 2400/);
    writeFileSync(file, good);
    const mpath = join(dir, "manifest.json");
    const m = readFileSync(mpath, "utf8");
    writeFileSync(mpath, m.slice(0, 50));
    await expect(load()).rejects.toThrow(/manifest.json is not valid JSON/);
    writeFileSync(mpath, m.replace('"version": 1', '"version": 9'));
    await expect(load()).rejects.toThrow(/format version 9 is not supported/);
    writeFileSync(mpath, m);
    expect((await load()).step("user")).toBe(1);
  });
});

describe("checkpoint refusal across ranks", () => {
  it("a shard damaged for one rank makes every rank refuse, and none changes", async () => {
    const plan = rowWise(2);
    const src = createLocalExchanges(2).map((g) => new ShardedEmbeddingCollection({ tables: TABLES, plan, processGroup: g, optimizer: ADAM }));
    await Promise.all(src.map((c) => trainSteps(c, 1)));
    const dir = join(root, "e");
    await Promise.all(src.map((c) => c.save(dir)));
    const file = join(dir, "user.shard-1.bin");
    const bad = readFileSync(file);
    bad[0]! ^= 1;
    writeFileSync(file, bad);
    const dst = createLocalExchanges(2).map((g) => new ShardedEmbeddingCollection({ tables: TABLES, plan, processGroup: g, optimizer: ADAM }));
    const before = dst.map((c) => c.localShard("tag")!.weights.slice());
    const results = await Promise.allSettled(dst.map((c) => c.load(dir)));
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/refused by rank 1 \(see its error\); nothing was loaded/);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/file user.shard-1.bin is damaged/);
    dst.forEach((c, k) => expect(c.localShard("tag")!.weights).toEqual(before[k]));
    expect(dst[0]!.step("user")).toBe(0);
  });
});
