import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { openMetaDataset, prepare, synthesize, type MetaBatch, type MetaDataset } from "../src/index.js";
import { tmpDir } from "./tmpDir.js";

const dir = tmpDir("transform");
let ds: MetaDataset;
const sums = fileURLToPath(new URL("./transforms/taskLabelSums.ts", import.meta.url));

beforeAll(async () => {
  const raw = await synthesize({ users: 40, items: 30, categories: 4, samplesPerUser: [4, 12], dense: 2, seed: 8, out: join(dir, "raw.parquet") });
  await prepare({ input: raw.file, schema: raw.schema, out: join(dir, "ds"), split: { query: 0.3 }, minSupport: 2, minQuery: 1, rowsPerPart: 120 });
  ds = await openMetaDataset(join(dir, "ds"));
});

interface Sums {
  place: { epoch: number; index: number; rank: number };
  sums: Float64Array;
  labels: Float32Array;
}

async function collect(it: AsyncIterable<MetaBatch>): Promise<MetaBatch[]> {
  const out: MetaBatch[] = [];
  for await (const b of it) out.push(b);
  return out;
}

describe("the loader's batch transform", () => {
  for (const workers of [0, 2]) {
    it(`runs on every batch where it is decoded and delivers its output with the batch (workers: ${workers})`, async () => {
      const loader = ds.loader({ tasksPerBatch: 3, rank: 1, worldSize: 2, epochs: 2, seed: 3, workers, prefetch: 4, transform: { module: sums, options: { scale: 0.5 } } });
      const batches = await collect(loader);
      await loader.close();
      expect(batches.length).toBe(2 * loader.batchesPerEpoch);
      for (const b of batches) {
        const p = b.prepared as Sums;
        expect(p.place).toEqual({ epoch: b.epoch, index: b.index, rank: 1 });
        const o = b.support.taskOffsets;
        const want = Array.from({ length: b.tasks }, (_, t) => b.support.labels.subarray(o[t]!, o[t + 1]!).reduce((a, x) => a + x * 0.5, 0));
        expect(Array.from(p.sums)).toEqual(want);
        expect(Array.from(p.labels)).toEqual(Array.from(b.support.labels));
      }
      // The batches themselves are those of a loader without a transform.
      const plain = await collect(ds.loader({ tasksPerBatch: 3, rank: 1, worldSize: 2, epochs: 2, seed: 3, workers }));
      expect(plain.map((b) => [...b.taskKeys])).toEqual(batches.map((b) => [...b.taskKeys]));
      expect(plain.every((b) => b.prepared === undefined)).toBe(true);
    });
  }

  for (const workers of [0, 1]) {
    it(`stops the loader with an error naming the module, the batch and its parts (workers: ${workers})`, async () => {
      const seen: number[] = [];
      // A worker's message of batches fails as a whole: one batch per message shows the order.
      const run = async () => {
        for await (const b of ds.loader({ tasksPerBatch: 3, workers, batchesPerMessage: 1, shuffle: false, transform: { module: sums, options: { scale: 1, failOn: 2 } } })) seen.push(b.index);
      };
      await expect(run()).rejects.toThrow(/^loader: batch transform .*taskLabelSums\.ts failed on batch 2 of epoch 0 \(rank 0; parts \/.*\/part-\d+\.arrow\): planted failure \(scale 1\)/);
      expect(seen).toEqual([0, 1]);
    });
  }

  it("says why a module cannot serve as a transform, and rejects options that are not JSON", async () => {
    const first = (module: string) => collect(ds.loader({ tasksPerBatch: 3, workers: 1, transform: { module } }));
    await expect(first(join(dir, "missing.mjs"))).rejects.toThrow(/loader: cannot load the batch transform .*missing\.mjs: /);
    await expect(first(fileURLToPath(new URL("./transforms/noExport.mjs", import.meta.url)))).rejects.toThrow(
      /loader: cannot load the batch transform .*noExport\.mjs: it exports no function createBatchTransform\(options\) \(exports: something\)/,
    );
    expect(() => ds.loader({ tasksPerBatch: 3, transform: { module: sums, options: { n: 1n } } })).toThrow(/loader: expected plain JSON for transform.options, got a value JSON cannot hold/);
    expect(() => ds.loader({ tasksPerBatch: 3, transform: { module: "" } })).toThrow(/loader: expected a module path or file URL for transform.module, got ""/);
  });
});
