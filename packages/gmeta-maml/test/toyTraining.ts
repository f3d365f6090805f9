// The distributed-equals-single training run, shared by the test worker (real processes) and
// the GPU check (one process on the GPU machine): a MetaDLRM over two sharded tables trained
// on the same global meta-batches whatever the world size (each rank takes its share).
import type { ProcessGroup } from "@gmeta/collectives";
import { planSharding, ShardedEmbeddingCollection } from "@gmeta/embedding";
import type { TableConfig } from "@gmeta/embedding";
import { watchTensors } from "@gmeta/tensor";
import type { Device, Tensor } from "@gmeta/tensor";
import { createBatchTransform } from "../src/data/prepareTransform.js";
import type { StepPrepConfig } from "../src/data/PreparedStep.js";
import { MetaDLRM } from "../src/models/MetaDLRM.js";
import { MetaLearner } from "../src/learner/MetaLearner.js";
import type { Algorithm } from "../src/learner/MetaLearner.js";
import { MetaTrainer } from "../src/trainer/MetaTrainer.js";
import type { Strategy } from "../src/trainer/MetaTrainer.js";
import { sliceTasks } from "../src/trainer/sliceBatch.js";
import { toyBatch } from "./fixtures.js";

export interface ToyRun {
  /** Query loss of every step (over all ranks). */
  losses: number[];
  supportLosses: number[];
  /** Per step, tensors the step made that were still alive after it (on this rank). */
  leftAlive: number[];
  /** Per step: the phases' seconds summed, over the step's seconds (1 when they account for all of it). */
  timedShare: number[];
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
  /** Default "maml"; "plain" is the non-meta baseline. */
  algorithm?: Algorithm;
  /**
   * "inline" (default): raw batches, prepared by the trainer; "transform": each rank's batch
   * prepared by the loader transform of trainer.batchTransform() and structured-cloned, as a
   * loader worker delivers it.
   */
  prepare?: "inline" | "transform";
}

/** Tasks of the toy global meta-batch: uneven sizes, and a count that 1, 2 and 3 ranks divide. */
export const TOY_TASKS = [3, 5, 2, 6, 4, 1];

export async function trainToy(pg: ProcessGroup, o: ToyOptions): Promise<ToyRun> {
  const device = o.device ?? "cpu";
  const model = new MetaDLRM({
    denseDim: 3, embeddingDim: 4, bottom: [5], top: [6],
    slots: [{ name: "item", table: "item", pooling: "sum" }, { name: "tags", table: "tags", pooling: "mean" }],
  });
  const learner = new MetaLearner(model, { algorithm: o.algorithm ?? "maml", innerSteps: 2, innerLr: 0.2, seed: 1, device });
  const tables: TableConfig[] = [
    { name: "item", rows: 11, dim: 4, init: { kind: "normal", std: 0.3 }, seed: 5 },
    { name: "tags", rows: 6, dim: 4, init: { kind: "normal", std: 0.3 }, seed: 6 },
  ];
  const optimizer = { kind: "adagrad" as const, lr: 0.05 };
  const constraints = Object.fromEntries(tables.map((t) => [t.name, { strategy: o.tableStrategy }]));
  const plan = planSharding({ tables, worldSize: pg.size, optimizer, constraints });
  const collection = new ShardedEmbeddingCollection({ tables, plan, processGroup: pg, optimizer, device });
  const trainer = new MetaTrainer({ learner, processGroup: pg, embeddings: collection, outerLr: 0.01, strategy: o.strategy });
  const spec = o.prepare === "transform" ? trainer.batchTransform() : undefined;
  if (o.prepare === "transform" && !spec) throw new Error(`trainToy: the ${o.strategy} strategy has no batch transform`);
  const transform = spec ? createBatchTransform(spec.options as StepPrepConfig) : null;
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
  const T = TOY_TASKS.length;
  const losses: number[] = [];
  const supportLosses: number[] = [];
  const leftAlive: number[] = [];
  const timedShare: number[] = [];
  for (let s = 0; s < o.steps; s++) {
    const global = toyBatch(100 + s, { tasks: TOY_TASKS, dense: 3, vocab: [11, 6], bag: [1, 3] });
    const per = T / pg.size;
    // After the first step (which makes the optimizers' state) a step keeps no tensor alive
    // but those its compiled programs own (a new shape bucket's slots and outputs): every
    // other one it made is disposed, none left to the garbage collector.
    const made: Tensor[] = [];
    const stop = s > 0 ? watchTensors((t) => made.push(t)) : () => true;
    const mine = sliceTasks(global, pg.rank * per, (pg.rank + 1) * per);
    const prepared = transform ? structuredClone(transform({ taskKeys: new BigInt64Array(per), ...mine }, { epoch: 0, index: s, rank: pg.rank })) : undefined;
    const m = await trainer.step(prepared ? { ...mine, prepared } : mine);
    stop();
    const held = trainer.heldTensors();
    leftAlive.push(made.filter((t) => !t.disposed && !held.has(t)).length);
    losses.push(m.queryLoss);
    supportLosses.push(m.supportLoss);
    const phases = Object.values(m.timings);
    timedShare.push(phases.some((v) => !(v >= 0)) || !(m.timings.learner > 0) ? NaN : phases.reduce((a, b) => a + b, 0) / m.seconds);
  }
  const run = { losses, supportLosses, leftAlive, timedShare, dense: denseNow(), tables: await fullTables(), initialDense, initialTables };
  trainer.dispose();
  learner.dispose();
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
