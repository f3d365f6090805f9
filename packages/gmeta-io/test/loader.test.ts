import { cpSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { openMetaDataset, prepare, readRaw, synthesize, type MetaBatch, type MetaDataset, type SynthesizeResult } from "../src/index.js";
import { batchPositions, batchesPerEpoch, epochOrder } from "../src/epochPlan.js";
import { tmpDir } from "./tmpDir.js";

const dir = tmpDir("loader");
let raw: SynthesizeResult;
let ds: MetaDataset;

async function collect(it: AsyncIterable<MetaBatch>, limit = Infinity): Promise<MetaBatch[]> {
  const out: MetaBatch[] = [];
  for await (const b of it) {
    out.push(b);
    if (out.length >= limit) break;
  }
  return out;
}

// A batch as plain data, for deep comparison across runs.
const plain = (b: MetaBatch) => ({ ...b, taskKeys: [...b.taskKeys] });

beforeAll(async () => {
  raw = await synthesize({ users: 90, items: 50, categories: 4, samplesPerUser: [4, 30], dense: 3, seed: 4, out: join(dir, "raw.parquet") });
  await prepare({ input: raw.file, schema: raw.schema, out: join(dir, "ds"), split: { query: 0.3 }, minSupport: 2, minQuery: 1, rowsPerPart: 250 });
  ds = await openMetaDataset(join(dir, "ds"));
});

describe("epoch plan", () => {
  it("orders every task exactly once, differently per epoch, the same per seed", () => {
    const partStart = Int32Array.from([0, 5, 9, 20]);
    const a = epochOrder({ partStart, shuffle: true, seed: 1, epoch: 0 });
    expect([...a].sort((x, y) => x - y)).toEqual([...Array(20).keys()]);
    expect(epochOrder({ partStart, shuffle: true, seed: 1, epoch: 0 })).toEqual(a);
    expect(epochOrder({ partStart, shuffle: true, seed: 1, epoch: 1 })).not.toEqual(a);
    expect([...epochOrder({ partStart, shuffle: false, seed: 1, epoch: 0 })]).toEqual([...Array(20).keys()]);
  });

  it("drops or pads the remainder so every rank gets the same number of batches", () => {
    expect(batchesPerEpoch(23, 2, 3, "drop")).toBe(3);
    expect(batchesPerEpoch(23, 2, 3, "pad")).toBe(4);
    expect(batchPositions(3, 2, 2, 3, 23)).toEqual({ positions: [22, 0], padded: 1 });
  });
});

describe("loader", () => {
  it("yields whole tasks whose samples equal the raw input", async () => {
    const rows = new Map<bigint, string[]>();
    for await (const c of readRaw(raw.file, raw.schema)) {
      for (let i = 0; i < c.n; i++) {
        const list = rows.get(c.task[i]!) ?? [];
        const tags = c.sparse[2]!.ids.subarray(c.sparse[2]!.offsets[i]!, c.sparse[2]!.offsets[i + 1]!);
        list.push(`${c.label[i]}|${[...c.dense.subarray(i * 3, i * 3 + 3)]}|${c.sparse[0]!.ids[i]}|${c.sparse[1]!.ids[i]}|${[...tags]}`);
        rows.set(c.task[i]!, list);
      }
    }
    const batches = await collect(ds.loader({ tasksPerBatch: 4, workers: 1, remainder: "pad", shuffle: false }));
    const seen = new Set<bigint>();
    for (const b of batches) {
      for (let t = 0; t < b.tasks - b.padded; t++) {
        const key = b.taskKeys[t]!;
        expect(seen.has(key)).toBe(false);
        seen.add(key);
        const got: string[] = [];
        for (const blk of [b.support, b.query]) {
          for (let i = blk.taskOffsets[t]!; i < blk.taskOffsets[t + 1]!; i++) {
            const s = (k: number) => blk.slots[k]!.ids.subarray(blk.slots[k]!.offsets[i]!, blk.slots[k]!.offsets[i + 1]!);
            got.push(`${blk.labels[i]}|${[...blk.dense.subarray(i * 3, i * 3 + 3)]}|${s(0)[0]}|${s(1)[0]}|${[...s(2)]}`);
          }
        }
        expect(got.sort()).toEqual([...rows.get(key)!].sort());
      }
    }
    expect(seen.size).toBe(ds.manifest.counts.tasks);
  });

  it("gives ranks disjoint, complete shards with the same batch count", async () => {
    const W = 3;
    const per = await Promise.all([0, 1, 2].map((rank) => collect(ds.loader({ rank, worldSize: W, tasksPerBatch: 5, seed: 9, workers: 0 }))));
    const counts = per.map((bs) => bs.length);
    expect(new Set(counts).size).toBe(1);
    const keys = per.flatMap((bs) => bs.flatMap((b) => [...b.taskKeys]));
    expect(new Set(keys).size).toBe(keys.length);
    const total = ds.manifest.counts.tasks;
    expect(keys.length).toBe(Math.floor(total / 15) * 15);
    // with padding, the union is every task
    const padded = await Promise.all([0, 1, 2].map((rank) => collect(ds.loader({ rank, worldSize: W, tasksPerBatch: 5, seed: 9, workers: 0, remainder: "pad" }))));
    expect(new Set(padded.flatMap((bs) => bs.flatMap((b) => [...b.taskKeys]))).size).toBe(total);
    expect(new Set(padded.map((bs) => bs.length)).size).toBe(1);
  });

  it("decodes the same batches with 0, 1 and 2 workers, and the same per seed", async () => {
    const base = { tasksPerBatch: 6, seed: 5, epoch: 1, prefetch: 3 };
    const w0 = await collect(ds.loader({ ...base, workers: 0 }));
    const w1 = await collect(ds.loader({ ...base, workers: 1 }));
    const w2 = await collect(ds.loader({ ...base, workers: 2 }));
    expect(w1.map(plain)).toEqual(w0.map(plain));
    expect(w2.map(plain)).toEqual(w0.map(plain));
    const other = await collect(ds.loader({ ...base, seed: 6, workers: 0 }));
    expect(other.map((b) => [...b.taskKeys])).not.toEqual(w0.map((b) => [...b.taskKeys]));
  });

  it("hands over each batch as one buffer of its own (transferred, not views of a part)", async () => {
    for (const workers of [0, 1]) {
      const [b] = await collect(ds.loader({ tasksPerBatch: 3, workers }), 1);
      const arrays = [b!.taskKeys, ...[b!.support, b!.query].flatMap((k) => [k.labels, k.dense, k.taskOffsets, ...k.slots.flatMap((s) => [s.ids, s.offsets])])];
      const buffer = b!.taskKeys.buffer;
      expect(arrays.every((a) => a.buffer === buffer)).toBe(true);
      expect(buffer.byteLength).toBe(arrays.reduce((s, a) => s + a.byteLength, 0));
      expect(b!.support.taskOffsets.length).toBe(4);
      expect(b!.support.slots[2]!.offsets[b!.support.size]).toBe(b!.support.slots[2]!.ids.length);
    }
  });

  it("resumes exactly where a run stopped, across epochs", async () => {
    const base = { tasksPerBatch: 4, seed: 2, epochs: 2, workers: 1 };
    const whole = await collect(ds.loader(base));
    const first = ds.loader(base);
    const head = await collect(first, 7);
    const state = first.state();
    expect(state).toEqual({ epoch: 0, batch: 7, seed: 2 });
    const tail = await collect(ds.loader(base).resume(JSON.parse(JSON.stringify(state))));
    expect([...head, ...tail].map(plain)).toEqual(whole.map(plain));
    expect(whole.length).toBe(2 * ds.loader(base).batchesPerEpoch);
  });

  it("reports a part that cannot be read from a worker, naming the file", async () => {
    const copy = join(dir, "ds-broken");
    cpSync(join(dir, "ds"), copy, { recursive: true });
    const broken = await openMetaDataset(copy);
    writeFileSync(join(copy, "part-00000.arrow"), "not arrow");
    for (const workers of [0, 1]) {
      await expect(collect(broken.loader({ tasksPerBatch: 4, workers, shuffle: false }))).rejects.toThrow(/part-00000\.arrow: cannot decode part file/);
    }
  });

  it("rejects impossible options by name", () => {
    expect(() => ds.loader({ tasksPerBatch: 0 })).toThrow(/tasksPerBatch/);
    expect(() => ds.loader({ tasksPerBatch: 2, rank: 2, worldSize: 2 })).toThrow(/rank < worldSize/);
    expect(() => ds.loader({ tasksPerBatch: 10_000 })).toThrow(/do not fill one step/);
  });
});
