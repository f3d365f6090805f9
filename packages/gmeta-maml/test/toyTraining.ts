// The distributed-equals-single training run, shared by the test worker (real processes) and
// the GPU check (one process on the GPU machine): a MetaDLRM over two sharded tables trained
// on the same global meta-batches whatever the world size (each rank takes its share).
import type { ProcessGroup } from "@gmeta/collectives";
import { planSharding, ShardedEmbeddingCollection } from "@gmeta/embedding";
import type { TableConfig } from "@gmeta/embedding";
import type { Device } from "@gmeta/tensor";
import { CollectionStore } from "../src/trainer/CollectionStore.js";
import { MetaDLRM } from "../src/models/MetaDLRM.js";
import { MetaLearner } from "../src/learner/MetaLearner.js";
import { MetaTrainer } from "../src/trainer/MetaTrainer.js";
import type { Strategy } from "../src/trainer/MetaTrainer.js";
import { sliceTasks } from "../src/trainer/sliceBatch.js";
import { toyBatch } from "./fixtures.js";

export interface ToyRun {
  losses: number[];
  dense: Record<string, number[]>;
  tables: Record<string, number[]>;
  initialDense: Record<string, number[]>;
  initialTables: Record<string, number[]>;
}

export interface ToyOptions {
  strategy: Strategy;
  steps: number;
  tableStrategy: "row-wise" | "table-wise";
  /** Where the meta-step and the tables live (default "cpu"). */
  device?: Device;
  /** The tables' device path on the CPU. */
  tensorPath?: boolean;
}

export async function trainToy(pg: ProcessGroup, o: ToyOptions): Promise<ToyRun> {
  const device = o.device ?? "cpu";
  const model = new MetaDLRM({
    denseDim: 3, embeddingDim: 4, bottom: [5], top: [6],
    slots: [{ name: "item", table: "item", pooling: "sum" }, { name: "tags", table: "tags", pooling: "mean" }],
  });
  const learner = new MetaLearner(model, { algorithm: "maml", innerSteps: 2, innerLr: 0.2, seed: 1, device });
  const tables: TableConfig[] = [
    { name: "item", rows: 11, dim: 4, init: { kind: "normal", std: 0.3 }, seed: 5 },
    { name: "tags", rows: 6, dim: 4, init: { kind: "normal", std: 0.3 }, seed: 6 },
  ];
  const optimizer = { kind: "adagrad" as const, lr: 0.05 };
  const constraints = Object.fromEntries(tables.map((t) => [t.name, { strategy: o.tableStrategy }]));
  const plan = planSharding({ tables, worldSize: pg.size, optimizer, constraints });
  const collection = new ShardedEmbeddingCollection({ tables, plan, processGroup: pg, optimizer, device, tensorPath: o.tensorPath });
  const store = new CollectionStore(collection, pg);
  const trainer = new MetaTrainer({ learner, processGroup: pg, embeddings: store, outerLr: 0.01, strategy: o.strategy });
  const denseNow = () => Object.fromEntries(model.params.map((p) => [p.name, Array.from(learner.params[p.name]!.toArray() as Float32Array)]));
  const fullTables = async (): Promise<Record<string, number[]>> => {
    const all = await collection.lookup({ item: BigInt64Array.from({ length: 11 }, (_, i) => BigInt(i)), tags: BigInt64Array.from({ length: 6 }, (_, i) => BigInt(i)) });
    const out: Record<string, number[]> = {};
    for (const t of ["item", "tags"]) out[t] = Array.from(all.get(t).values.toArray() as Float32Array);
    all.dispose();
    return out;
  };
  const initialTables = await fullTables();
  const initialDense = denseNow();
  const T = 4;
  const losses: number[] = [];
  for (let s = 0; s < o.steps; s++) {
    const global = toyBatch(100 + s, { tasks: [3, 5, 2, 6], dense: 3, vocab: [11, 6], bag: [1, 3] });
    const per = T / pg.size;
    const m = await trainer.step(sliceTasks(global, pg.rank * per, (pg.rank + 1) * per));
    losses.push(m.queryLoss);
  }
  const run = { losses, dense: denseNow(), tables: await fullTables(), initialDense, initialTables };
  trainer.optimizer.dispose();
  learner.dispose();
  store.dispose();
  collection.dispose();
  return run;
}

/** Largest |difference| of dense parameters and table rows between two runs. */
export function maxDiff(a: ToyRun, b: ToyRun): number {
  let d = 0;
  for (const k of Object.keys(a.dense)) a.dense[k]!.forEach((v, i) => (d = Math.max(d, Math.abs(v - b.dense[k]![i]!))));
  for (const k of Object.keys(a.tables)) a.tables[k]!.forEach((v, i) => (d = Math.max(d, Math.abs(v - b.tables[k]![i]!))));
  return d;
}
