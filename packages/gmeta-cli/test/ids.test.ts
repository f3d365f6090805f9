import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { hashId } from "@gmeta/embedding";
import { hashStringId, readRaw, syntheticSchema } from "@gmeta/io";
import type { SampleChunk } from "@gmeta/io";
import { runSynth } from "../src/commands/synth.js";
import { latestCheckpoint } from "../src/run/runFiles.js";
import { gmeta, tmp } from "./helpers.js";

const dir = tmp("ids");
const BUCKETS = { item: 100_003, category: 5_003, tags: 20_011 };
// Raw ids as production logs have them: 64-bit item hashes, string categories, 64-bit tags.
const itemId = (i: bigint) => BigInt.asIntN(64, i * 0x9e3779b97f4a7c15n + (1n << 62n));
const categoryId = (c: bigint) => `cat-${c}-é`;
const tagId = (t: bigint) => (1n << 40n) + t * 7919n;

const header = "user,click,d0,d1,item,category,tags,ts";
let rawCsv = "";
let refCsv = "";

beforeAll(async () => {
  const syn = await runSynth({ out: join(dir, "syn.csv"), users: 160, items: 60, categories: 6, samplesPerUser: [6, 14], dense: 2, seed: 8 });
  const chunks: SampleChunk[] = [];
  for await (const c of readRaw(syn.file, syntheticSchema(2))) chunks.push(c);
  const raw: string[] = [header];
  const ref: string[] = [header];
  const rowsSeen = { item: new Map<number, string>(), category: new Map<number, string>(), tags: new Map<number, string>() };
  // The reference maps every raw id to its row with the documented hashes, ahead of time.
  const row = (slot: keyof typeof BUCKETS, id: bigint, key: string) => {
    const r = hashId(id, BUCKETS[slot]);
    const had = rowsSeen[slot].get(r);
    if (had !== undefined && had !== key) throw new Error(`test data: ${slot} ids ${had} and ${key} share row ${r}; pick other buckets`);
    rowsSeen[slot].set(r, key);
    return r;
  };
  for (const c of chunks) {
    for (let i = 0; i < c.n; i++) {
      const it = itemId(c.sparse[0]!.ids[i]!);
      const cat = categoryId(c.sparse[1]!.ids[i]!);
      const tags = Array.from(c.sparse[2]!.ids.subarray(c.sparse[2]!.offsets[i]!, c.sparse[2]!.offsets[i + 1]!), tagId);
      const common = [String(c.task[i]), String(c.label[i]), String(c.dense[2 * i]), String(c.dense[2 * i + 1])];
      const ts = String(c.timestamp![i]);
      raw.push([...common, String(it), `"${cat}"`.replace(/"/g, ""), tags.join("|"), ts].join(","));
      ref.push([...common, row("item", it, String(it)), row("category", hashStringId(cat), cat), tags.map((t) => row("tags", t, String(t))).join("|"), ts].join(","));
    }
  }
  rawCsv = join(dir, "raw.csv");
  refCsv = join(dir, "ref.csv");
  writeFileSync(rawCsv, `${raw.join("\n")}\n`);
  writeFileSync(refCsv, `${ref.join("\n")}\n`);
  const schema = { taskKey: "user", label: "click", dense: ["d0", "d1"], sparse: [{ name: "item" }, { name: "category" }, { name: "tags", list: true }], timestamp: "ts" };
  writeFileSync(join(dir, "plain.json"), JSON.stringify(schema));
  writeFileSync(join(dir, "hashed.json"), JSON.stringify({
    ...schema, sparse: [{ name: "item", hashBuckets: BUCKETS.item }, { name: "category", hashBuckets: BUCKETS.category }, { name: "tags", list: true, hashBuckets: BUCKETS.tags }],
  }));
}, 120_000);

const prepare = (input: string, schema: string, out: string) =>
  gmeta(["prepare", "--input", input, "--out", join(dir, out), "--schema", join(dir, schema), "--query", "0.5", "--min-support", "2", "--min-query", "2"]);
const train = (data: string, out: string, extra: string[] = []) =>
  gmeta(["train", "--data", join(dir, data), "--out", join(dir, out), "--model", "melu", "--tasks-per-batch", "8", "--epochs", "1", "--max-steps", "6", "--no-baseline", "--seed", "4", ...extra]);

describe("ids as real logs have them", () => {
  it("64-bit and string ids hashed into tables train to the same parameters as ids hashed ahead of time by the documented hashes", () => {
    const p1 = prepare(rawCsv, "hashed.json", "hashed");
    expect(p1.code, p1.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(dir, "hashed", "manifest.json"), "utf8")) as { slots: { name: string; vocab: number; hashBuckets: number }[] };
    expect(manifest.slots.map((s) => [s.vocab, s.hashBuckets])).toEqual([[BUCKETS.item, BUCKETS.item], [BUCKETS.category, BUCKETS.category], [BUCKETS.tags, BUCKETS.tags]]);
    // The reference ids are rows already; a table of the same size keeps every row's initial value.
    writeFileSync(join(dir, "ref.json"), JSON.stringify({
      taskKey: "user", label: "click", dense: ["d0", "d1"], sparse: [{ name: "item" }, { name: "category" }, { name: "tags", list: true }], timestamp: "ts",
    }));
    const p2 = prepare(refCsv, "ref.json", "ref");
    expect(p2.code, p2.stderr).toBe(0);
    const a = train("hashed", "run-hashed");
    expect(a.code, a.stderr).toBe(0);
    const b = train("ref", "run-ref");
    expect(b.code, b.stderr).toBe(0);
    const pa = JSON.parse(readFileSync(join(latestCheckpoint(join(dir, "run-hashed"))!, "trainer.json"), "utf8")) as { step: number; params: number[][] };
    const pb = JSON.parse(readFileSync(join(latestCheckpoint(join(dir, "run-ref"))!, "trainer.json"), "utf8")) as { params: number[][] };
    expect(pa.step).toBe(6);
    let worst = 0;
    let moved = 0;
    pa.params.forEach((p, i) => p.forEach((v, k) => {
      worst = Math.max(worst, Math.abs(v - pb.params[i]![k]!));
      moved = Math.max(moved, Math.abs(v));
    }));
    console.info(`hashed ids vs ids hashed ahead of time: max |diff| of dense parameters ${worst.toExponential(2)}`);
    expect(moved).toBeGreaterThan(1e-3);
    expect(worst).toBeLessThan(1e-5);
    // predict reads the same raw ids (strings, 64-bit) and hashes them the same way.
    const lines = readFileSync(rawCsv, "utf8").trim().split("\n");
    const blanked = lines.map((l, i) => (i > 0 && i % 4 === 0 ? l.replace(/^([^,]*),[^,]*,/, "$1,,") : l));
    writeFileSync(join(dir, "new.csv"), `${blanked.join("\n")}\n`);
    const pr = gmeta(["predict", "--run", join(dir, "run-hashed"), "--input", join(dir, "new.csv"), "--out", join(dir, "new-scores.csv")]);
    expect(pr.code, pr.stderr).toBe(0);
    const scored = readFileSync(join(dir, "new-scores.csv"), "utf8").trim().split("\n").slice(1);
    expect(scored.map((l) => Number(l.split(",")[1]))).toEqual(lines.flatMap((_, i) => (i > 0 && i % 4 === 0 ? [i] : [])));
    // And on 2 ranks, with the tables of hashBuckets rows sharded.
    const c = train("hashed", "run-hashed-2", ["--nproc", "2"]);
    expect(c.code, c.stderr).toBe(0);
  }, 300_000);

  it("a hashed table too large for this machine is refused at train before any row is allocated or the run folder is written", () => {
    writeFileSync(join(dir, "huge.json"), JSON.stringify({
      taskKey: "user", label: "click", dense: ["d0", "d1"], sparse: [{ name: "item", hashBuckets: 2 ** 31 - 1 }, { name: "category", hashBuckets: 10 }, { name: "tags", list: true, hashBuckets: 10 }], timestamp: "ts",
    }));
    const p = prepare(rawCsv, "huge.json", "huge");
    expect(p.code, p.stderr).toBe(0);
    const r = train("huge", "run-huge");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/planSharding: table "item" \(274,877,906,816 bytes, table-wise\) does not fit: budget [\d,]+ bytes per rank/);
    expect(r.stderr).toContain("use more ranks, fewer hashBuckets or a smaller embeddingDim, or raise embeddingMemoryMiB");
    expect(existsSync(join(dir, "run-huge"))).toBe(false);
  }, 120_000);

  it("without hashBuckets, ids past 2^31 − 1 rows and string ids are refused at prepare, naming file, row, column and id", () => {
    const bad = join(dir, "big.csv");
    writeFileSync(bad, `${header}\n1,1,0,0,5,1,2,0\n1,0,0,0,3000000000,1,2,1\n1,0,0,0,7,1,2,2\n`);
    const r = prepare(bad, "plain.json", "big-out");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}, row 2, column "item": largest id 3000000000 needs a table of more than 2147483647 rows`);
    expect(r.stderr).toContain('set hashBuckets for "item" in the schema');
    expect(existsSync(join(dir, "big-out"))).toBe(false);
    const neg = prepare(rawCsv, "plain.json", "str-out");
    expect(neg.code).toBe(1);
    expect(neg.stderr).toContain(`${rawCsv}, row 1, column "item": expected an id ≥ 0, got -`);
    expect(neg.stderr).toContain("(set hashBuckets for the column in the schema to hash any int64 or string ids)");
    const str = join(dir, "str.csv");
    writeFileSync(str, `${header}\n1,1,0,0,5,1,2,0\n1,0,0,0,6,music,2,1\n`);
    const s = prepare(str, "plain.json", "str-out");
    expect(s.code).toBe(1);
    expect(s.stderr).toContain(`${str}, row 2, column "category": expected an integer id (set hashBuckets for the column in the schema to hash string ids), got "music"`);
    expect(existsSync(join(dir, "str-out"))).toBe(false);
  }, 120_000);
});
