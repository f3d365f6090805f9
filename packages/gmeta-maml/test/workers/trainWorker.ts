// One rank of the distributed-equals-single test: trains a MetaDLRM on the same global
// meta-batches whatever the world size (each rank takes its share of the tasks), then
// rank 0 writes the dense parameters and the full embedding tables as JSON.
import { writeFileSync } from "node:fs";
import { initProcessGroup } from "@gmeta/collectives";
import { planSharding, ShardedEmbeddingCollection } from "@gmeta/embedding";
import type { TableConfig } from "@gmeta/embedding";
import type { Device } from "@gmeta/tensor";
import { CollectionStore, MetaDLRM, MetaLearner, MetaTrainer, sliceTasks } from "../../src/index.js";
import type { Strategy } from "../../src/index.js";
import { toyBatch } from "../fixtures.js";

const [out, strategy, stepsArg, tableStrategy, path = "host"] = process.argv.slice(2) as [string, Strategy, string, "row-wise" | "table-wise", string?];
// "host": tables as host arrays; "tensor": the device path's code on the CPU; "cuda:N": the
// meta-step and the tables on that GPU (exchanged through Gloo on the host).
const device = (path.startsWith("cuda:") ? path : "cpu") as Device;
const pg = await initProcessGroup({ backend: "gloo", timeoutMs: 60_000 });
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
const constraints = Object.fromEntries(tables.map((t) => [t.name, { strategy: tableStrategy }]));
const plan = planSharding({ tables, worldSize: pg.size, optimizer, constraints });
const collection = new ShardedEmbeddingCollection({ tables, plan, processGroup: pg, optimizer, device, tensorPath: path !== "host" });
const trainer = new MetaTrainer({ learner, processGroup: pg, embeddings: new CollectionStore(collection, pg), outerLr: 0.01, strategy });
async function fullTables(): Promise<Record<string, number[]>> {
  const all = await collection.lookup({ item: BigInt64Array.from({ length: 11 }, (_, i) => BigInt(i)), tags: BigInt64Array.from({ length: 6 }, (_, i) => BigInt(i)) });
  const out: Record<string, number[]> = {};
  for (const t of ["item", "tags"]) out[t] = Array.from(all.get(t).values.toArray() as Float32Array);
  all.dispose();
  return out;
}
const initialTables = await fullTables();
const initialDense = Object.fromEntries(model.params.map((p) => [p.name, Array.from(learner.params[p.name]!.toArray() as Float32Array)]));
const T = 4;
const losses: number[] = [];
for (let s = 0; s < Number(stepsArg); s++) {
  const global = toyBatch(100 + s, { tasks: [3, 5, 2, 6], dense: 3, vocab: [11, 6], bag: [1, 3] });
  const per = T / pg.size;
  const m = await trainer.step(sliceTasks(global, pg.rank * per, (pg.rank + 1) * per));
  losses.push(m.queryLoss);
}
const full = await fullTables();
if (pg.rank === 0) {
  const dense = Object.fromEntries(model.params.map((p) => [p.name, Array.from(learner.params[p.name]!.toArray() as Float32Array)]));
  writeFileSync(out, JSON.stringify({ losses, dense, tables: full, initialDense, initialTables }));
}
await pg.barrier();
await pg.close();
