// Batches prepared in the loader's worker threads (MetaTrainer.batchTransform as the loader's
// transform) train exactly as raw batches prepared by the trainer: same losses, same bits.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initProcessGroup } from "@gmeta/collectives";
import type { ProcessGroup } from "@gmeta/collectives";
import { planSharding, ShardedEmbeddingCollection } from "@gmeta/embedding";
import type { TableConfig } from "@gmeta/embedding";
import { openMetaDataset, prepare, synthesize } from "@gmeta/io";
import type { MetaBatch, MetaDataset } from "@gmeta/io";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PreparedStep } from "../src/data/PreparedStep.js";
import { MetaDLRM, MetaLearner, MetaTrainer } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "gmeta-maml-prep-"));
afterAll(async () => {
  await pg?.close();
  rmSync(dir, { recursive: true, force: true });
});
// Fresh data every run; the seed is printed so a failure can be replayed.
const seed = Math.floor(Math.random() * 1e6);
let ds: MetaDataset;
let pg: ProcessGroup;

beforeAll(async () => {
  pg = await initProcessGroup({ backend: "gloo" });
  console.info(`[worker preparation] data seed ${seed}`);
  const raw = await synthesize({ users: 48, items: 60, categories: 5, samplesPerUser: [3, 14], dense: 2, seed, out: join(dir, "raw.parquet") });
  await prepare({ input: raw.file, schema: raw.schema, out: join(dir, "ds"), split: { query: 0.4 }, minSupport: 1, minQuery: 1, rowsPerPart: 150 });
  ds = await openMetaDataset(join(dir, "ds"));
});

function makeTrainer(compile = true, categoryRows?: number) {
  const model = new MetaDLRM({
    denseDim: 2, embeddingDim: 4, bottom: [6], top: [8],
    slots: [{ name: "item", table: "item", pooling: "sum" }, { name: "category", table: "category", pooling: "sum" }, { name: "tags", table: "tags", pooling: "mean" }],
  });
  const learner = new MetaLearner(model, { algorithm: "maml", innerSteps: 2, innerLr: 0.2, seed: 3 });
  const vocab = (name: string) => ds.manifest.slots.find((s) => s.name === name)!.vocab;
  // item hashes into fewer rows than ids: the dedup is of rows, collisions included.
  const tables: TableConfig[] = [
    { name: "item", rows: 23, hash: true, dim: 4, init: { kind: "normal", std: 0.3 }, seed: 1 },
    { name: "category", rows: categoryRows ?? vocab("category"), dim: 4, init: { kind: "normal", std: 0.3 }, seed: 2 },
    { name: "tags", rows: vocab("tags"), dim: 4, init: { kind: "normal", std: 0.3 }, seed: 3 },
  ];
  const optimizer = { kind: "adagrad" as const, lr: 0.05 };
  const collection = new ShardedEmbeddingCollection({ tables, plan: planSharding({ tables, worldSize: 1, optimizer }), processGroup: pg, optimizer });
  const trainer = new MetaTrainer({ learner, processGroup: pg, embeddings: collection, outerLr: 0.01, compile });
  const state = async () => {
    const ids = (n: number) => BigInt64Array.from({ length: n }, (_, i) => BigInt(i));
    const all = await collection.lookup({ item: ids(23), category: ids(tables[1]!.rows), tags: ids(tables[2]!.rows) });
    const rows = tables.map((t) => Array.from(all.get(t.name).unique.toArray() as Float32Array));
    all.dispose();
    return { dense: learner.denseParameters().map((p) => Array.from(p.toArray() as Float32Array)), rows };
  };
  return { trainer, state, dispose: () => (trainer.dispose(), learner.dispose(), collection.dispose()) };
}

const raw = (b: MetaBatch) => ({ support: b.support, query: b.query });

describe("batch preparation in the loader's worker threads", () => {
  it("gives bit-identical losses and parameters to raw batches prepared by the trainer", async () => {
    const viaWorkers = makeTrainer();
    const inline = makeTrainer();
    const loader = ds.loader({ tasksPerBatch: 4, workers: 1, seed, transform: viaWorkers.trainer.batchTransform() });
    let steps = 0;
    for await (const b of loader) {
      expect(typeof (b.prepared as PreparedStep).config).toBe("string");
      const a = await viaWorkers.trainer.step(b);
      const c = await inline.trainer.step(raw(b));
      expect([a.queryLoss, a.supportLoss, a.samples], `step ${steps + 1}`).toEqual([c.queryLoss, c.supportLoss, c.samples]);
      if (++steps === 4) break;
    }
    await loader.close();
    expect(steps).toBe(4);
    const [x, y] = [await viaWorkers.state(), await inline.state()];
    expect(x.dense).toEqual(y.dense);
    expect(x.rows).toEqual(y.rows);
    viaWorkers.dispose();
    inline.dispose();
  });

  it("reads the prepared arrays (a changed label changes the loss) and refuses a batch prepared for other settings", async () => {
    const t = makeTrainer();
    const eager = makeTrainer(false);
    const other = makeTrainer();
    const [b] = await (async () => {
      const out: MetaBatch[] = [];
      for await (const x of ds.loader({ tasksPerBatch: 4, workers: 1, seed, transform: t.trainer.batchTransform() })) if (out.push(x) === 1) break;
      return out;
    })();
    // Buckets differ between compiled and eager steps: eager settings are other settings.
    await expect(eager.trainer.step(b!)).rejects.toThrow(/MetaTrainer.step: expected a batch prepared for this trainer \(.*"buckets":false.*\), got one prepared for .*"buckets":true/);
    const p = b!.prepared as PreparedStep;
    // Host inputs: support dense, labels, mask, ... (stepHostInputs order); flip the query labels.
    const queryLabels = p.host[7]!.data as Float32Array;
    const flipped: PreparedStep = { ...p, host: p.host.map((h, i) => (i === 7 ? { ...h, data: queryLabels.map((v) => 1 - v) } : h)) };
    const same = await t.trainer.step(b!);
    const changed = await other.trainer.step({ ...b!, prepared: flipped });
    expect(changed.queryLoss).not.toBe(same.queryLoss);
    expect(changed.supportLoss).toBe(same.supportLoss);
    for (const x of [t, eager, other]) x.dispose();
  });

  it("leaves ids the dedup rejects to the lookup, which fails the step naming table and id", async () => {
    const t = makeTrainer(true, 2);
    const loader = ds.loader({ tasksPerBatch: 4, workers: 1, seed, transform: t.trainer.batchTransform() });
    let failed = false;
    for await (const b of loader) {
      const p = b.prepared as PreparedStep;
      if (!("ids" in p.lookups[1]!)) continue;
      expect(p.host).toEqual([]);
      await expect(t.trainer.step(b)).rejects.toThrow(/ShardedEmbeddingCollection.lookup: id \d+ at position \d+ is outside table "category" \(rows \[0, 2\)/);
      failed = true;
      break;
    }
    await loader.close();
    expect(failed, "a batch with a category id >= 2").toBe(true);
    t.dispose();
  });
});
