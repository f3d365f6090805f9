// Resharding across real processes: 4 Gloo ranks save, 2 load and save, 1 loads both.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { createLocalExchanges, planSharding, ShardedEmbeddingCollection } from "../src/index.js";
import { assemble } from "./helpers/assemble.js";
import { launchRanks } from "./helpers/launchRanks.js";
import { TABLES } from "./helpers/scenario.js";
import { lookupAllRows } from "./helpers/train.js";

const root = mkdtempSync(join(tmpdir(), "gmeta-emb-reshard-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("resharding on real processes (Gloo, loopback)", () => {
  it("4 → 2 → 1 ranks: bit-for-bit rows, optimizer state and lookups", async () => {
    const four = await launchRanks(4, "reshardWorker.ts", ["train-save", root]);
    expect(four.result.ranks.map((r) => r.code), four.out).toEqual([0, 0, 0, 0]);
    const two = await launchRanks(2, "reshardWorker.ts", ["load-save", root]);
    expect(two.result.ranks.map((r) => r.code), two.out).toEqual([0, 0]);

    const load = async (dir: string) => {
      const [g] = createLocalExchanges(1);
      const c = new ShardedEmbeddingCollection({ tables: TABLES, plan: planSharding({ tables: TABLES, worldSize: 1 }), processGroup: g!, optimizer: { kind: "adam", lr: 0.05 } });
      await c.load(join(root, dir));
      return c;
    };
    const fromA = await load("a");
    const fromB = await load("b");
    expect(assemble([fromB])).toEqual(assemble([fromA]));
    expect(fromB.step("user")).toBe(3);
    const l4 = JSON.parse(readFileSync(join(root, "lookup4.json"), "utf8"));
    const l2 = JSON.parse(readFileSync(join(root, "lookup2.json"), "utf8"));
    const l1 = await lookupAllRows(fromB);
    expect(l2).toEqual(l4);
    expect({ user: Array.from(l1.user!), tag: Array.from(l1.tag!) }).toEqual(l4);
    expect(JSON.parse(readFileSync(join(root, "a", "manifest.json"), "utf8")).worldSize).toBe(4);
    expect(JSON.parse(readFileSync(join(root, "b", "manifest.json"), "utf8")).worldSize).toBe(2);
  });
});
