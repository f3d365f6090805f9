import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { beforeAll, describe, expect, it } from "vitest";
import { openMetaDataset, prepare, readRaw, synthesize, writeRawFile, type SynthesizeResult } from "../src/index.js";
import { decodePartBatch } from "../src/partLayout.js";
import { tmpDir } from "./tmpDir.js";

const dir = tmpDir("prepare");
let raw: SynthesizeResult;
let rawCsv: SynthesizeResult;
const opts = { users: 150, items: 60, categories: 5, samplesPerUser: [3, 40] as [number, number], dense: 2, seed: 21 };

// key of a sample: task, timestamp and item identify it uniquely enough in synthetic data
type Row = string;
async function rawRows(file: string, r: SynthesizeResult): Promise<Map<bigint, Row[]>> {
  const m = new Map<bigint, Row[]>();
  for await (const c of readRaw(file, r.schema)) {
    for (let i = 0; i < c.n; i++) {
      const row = `${c.timestamp![i]}|${c.label[i]}|${c.dense[i * 2]}|${c.sparse[0]!.ids[i]}`;
      const list = m.get(c.task[i]!) ?? [];
      list.push(row);
      m.set(c.task[i]!, list);
    }
  }
  return m;
}

function partRows(out: string, slotNames: string[]): Map<bigint, { role: number; row: Row; ts: number }[]> {
  const m = new Map<bigint, { role: number; row: Row; ts: number }[]>();
  for (const f of readdirSync(out).filter((f) => f.startsWith("part-")).sort()) {
    const t = tableFromIPC(readFileSync(join(out, f)));
    expect(t.batches.length).toBe(1);
    const { chunk: c, role } = decodePartBatch(t.batches[0]!, slotNames, 2);
    for (let i = 0; i < c.n; i++) {
      const list = m.get(c.task[i]!) ?? [];
      list.push({ role: role![i]!, ts: c.timestamp![i]!, row: `${c.timestamp![i]}|${c.label[i]}|${c.dense[i * 2]}|${c.sparse[0]!.ids[i]}` });
      m.set(c.task[i]!, list);
    }
  }
  return m;
}

beforeAll(async () => {
  raw = await synthesize({ ...opts, out: join(dir, "raw.arrow") });
  rawCsv = await synthesize({ ...opts, out: join(dir, "raw.csv") });
});

describe("prepare", () => {
  it("keeps every sample of a task in that task, support before query in time, and counts drops", async () => {
    const out = join(dir, "time");
    const { manifest } = await prepare({ input: raw.file, schema: raw.schema, out, split: { query: 2 }, minSupport: 4, minQuery: 2, rowsPerPart: 200 });
    const before = await rawRows(raw.file, raw);
    const after = partRows(out, ["item", "category", "tags"]);
    let kept = 0;
    let dropped = 0;
    for (const [task, rows] of before) {
      const got = after.get(task);
      if (rows.length < 6) {
        expect(got).toBeUndefined();
        dropped++;
        continue;
      }
      kept++;
      expect(got!.map((r) => r.row).sort()).toEqual([...rows].sort());
      const sup = got!.filter((r) => r.role === 0);
      const qry = got!.filter((r) => r.role === 1);
      expect(qry.length).toBe(2);
      expect(got!.slice(0, sup.length).every((r) => r.role === 0)).toBe(true);
      expect(Math.max(...sup.map((r) => r.ts))).toBeLessThanOrEqual(Math.min(...qry.map((r) => r.ts)));
    }
    expect(manifest.counts.tasks).toBe(kept);
    expect(manifest.counts.droppedTasks).toBe(dropped);
    expect(manifest.counts.inputSamples).toBe(raw.samples);
    expect(manifest.counts.samples + manifest.counts.droppedSamples).toBe(raw.samples);
    expect(manifest.formatVersion).toBe(1);
    expect(manifest.slots).toEqual([
      { name: "item", list: false, vocab: expect.any(Number) },
      { name: "category", list: false, vocab: 5 },
      { name: "tags", list: true, vocab: expect.any(Number) },
    ]);
    expect(manifest.slots[0]!.vocab).toBeLessThanOrEqual(60);
    expect(manifest.parts.reduce((s, p) => s + p.rows, 0)).toBe(manifest.counts.samples);
    expect(manifest.parts.reduce((s, p) => s + p.tasks, 0)).toBe(manifest.counts.tasks);
    expect(manifest.parts.length).toBeGreaterThan(1);
    expect(readdirSync(dir).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("writes the same parts when it must spill sorted runs and merge them", async () => {
    const a = await prepare({ input: rawCsv.file, schema: rawCsv.schema, out: join(dir, "mem"), split: { query: 0.25 }, rowsPerPart: 300 });
    const b = await prepare({
      input: rawCsv.file,
      schema: rawCsv.schema,
      out: join(dir, "spill"),
      split: { query: 0.25 },
      rowsPerPart: 300,
      memoryBudget: 20_000,
      chunkRows: 100,
    });
    expect(a.spilledRuns).toBe(0);
    expect(b.spilledRuns).toBeGreaterThan(3);
    expect(b.manifest.parts).toEqual(a.manifest.parts);
    expect(b.manifest.counts).toEqual(a.manifest.counts);
    expect(existsSync(join(dir, "spill", "spill"))).toBe(false);
  });

  it("splits by a seeded shuffle: same seed same parts, other seed other parts", async () => {
    const run = (seed: number, name: string) =>
      prepare({ input: raw.file, schema: raw.schema, out: join(dir, name), split: { by: "shuffle", query: 0.3 }, seed, rowsPerPart: 400 });
    const a = await run(1, "s1");
    const b = await run(1, "s1b");
    const c = await run(2, "s2");
    expect(b.manifest.parts).toEqual(a.manifest.parts);
    expect(c.manifest.parts.map((p) => p.sha256)).not.toEqual(a.manifest.parts.map((p) => p.sha256));
    expect(c.manifest.counts.querySamples).toBe(a.manifest.counts.querySamples);
  });

  it("aims for the requested number of part files and merges several inputs", async () => {
    const { manifest } = await prepare({ input: [raw.file, rawCsv.file], schema: raw.schema, out: join(dir, "shards"), split: { query: 0.3 }, shards: 4 });
    expect(manifest.parts.length).toBeGreaterThanOrEqual(3);
    expect(manifest.parts.length).toBeLessThanOrEqual(5);
    // both files hold the same samples, so every task has twice as many
    expect(manifest.counts.inputSamples).toBe(2 * raw.samples);
    expect(manifest.counts.tasks).toBe(opts.users);
  });

  it("refuses to overwrite an existing folder unless told to", async () => {
    const out = join(dir, "time");
    await expect(prepare({ input: raw.file, schema: raw.schema, out, split: { query: 2 } })).rejects.toThrow(/already exists/);
    await prepare({ input: raw.file, schema: raw.schema, out, split: { query: 2 }, overwrite: true });
    expect(existsSync(join(out, "manifest.json"))).toBe(true);
  });

  it("groups int64 task keys beyond 2^53 and negative keys exactly", async () => {
    const keys = [2n ** 62n + 1n, -5n, 2n ** 62n, 2n ** 62n + 1n, -5n, 2n ** 62n, 2n ** 62n + 1n, -5n, 2n ** 62n];
    const n = keys.length;
    const file = join(dir, "keys.arrow");
    // 64-bit ids need a hashed table; they reach the loader as they are.
    const schema = { taskKey: "k", label: "y", dense: [], sparse: [{ name: "id", hashBuckets: 1000 }] };
    await writeRawFile(file, schema, [
      {
        n,
        task: BigInt64Array.from(keys),
        label: Float32Array.from(keys, (_, i) => i % 2),
        dense: new Float32Array(0),
        sparse: [{ ids: BigInt64Array.from(keys, (_, i) => BigInt(i) + 2n ** 40n), offsets: Int32Array.from({ length: n + 1 }, (_, i) => i) }],
        timestamp: null,
      },
    ]);
    const out = join(dir, "keys");
    const { manifest } = await prepare({ input: file, schema, out, split: { query: 1 } });
    expect(manifest.counts).toMatchObject({ tasks: 3, samples: 9 });
    expect(manifest.slots[0]).toMatchObject({ vocab: 1000, hashBuckets: 1000 });
    const ds = await openMetaDataset(out);
    expect([...ds.index.task]).toEqual([-5n, 2n ** 62n, 2n ** 62n + 1n]);
    for await (const b of ds.loader({ tasksPerBatch: 3, shuffle: false, workers: 0 })) {
      // task 2^62 + 1 holds input rows 0, 3 and 6: two in support, one in query (seeded shuffle split)
      const ids = (blk: typeof b.support) => [...blk.slots[0]!.ids.subarray(blk.taskOffsets[2]!, blk.taskOffsets[3]!)];
      expect([...ids(b.support), ...ids(b.query)].sort()).toEqual([2n ** 40n, 2n ** 40n + 3n, 2n ** 40n + 6n]);
      expect(ids(b.query)).toHaveLength(1);
    }
  });
});
