/**
 * Main-thread time per meta-step with batch preparation (padding, dedup, pair numbering, host
 * inputs) on the training thread, against the same batches prepared in the loader's worker
 * thread (MetaTrainer.batchTransform as the loader's transform), in one run: the whole
 * compiled G-Meta step on one rank, MetaDLRM at d=16 on synthetic data shaped like
 * bench/trainer.ts (16 support + 16 query samples per task, item / category / tags slots).
 *
 * Run: npm run bench:prep -w @gmeta/maml [-- --configs 32x1,128x3 --steps 24 --warmup 8]
 * Two trainers with the same initial weights take the same batches, one the prepared batch,
 * the other its raw arrays (prepared inside step), in alternating order each step so a busy
 * machine slows both alike; both ways must give the same losses bit for bit. Two settings:
 *   ahead    batches prepared before the timed loop by the transform itself and
 *            structured-cloned (as a worker delivers them): the main thread's own cost, with
 *            no other thread competing for the cores;
 *   loader   batches from the loader with the transform in its one worker thread, which
 *            prepares the next batches while the steps run (on a machine with fewer free
 *            cores than tensor threads + 1, it competes with the step's kernels).
 * Prints the median [first–third quartile] and the minimum over the timed steps of:
 *   step ms       wall time of trainer.step, each way (the main thread's time per step);
 *   saved ms      per step, inline minus prepared (paired: the two steps ran back to back;
 *                 quartiles only);
 *   prep ms       prepareStep alone on the main thread for the same batch (the work moved);
 *   receive ms    structuredClone of the prepared batch: an upper bound of what receiving it
 *                 from the worker costs the main thread (outside step).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { initProcessGroup } from "@gmeta/collectives";
import type { ProcessGroup } from "@gmeta/collectives";
import { planSharding, ShardedEmbeddingCollection } from "@gmeta/embedding";
import type { TableConfig } from "@gmeta/embedding";
import { openMetaDataset, prepare, synthesize } from "@gmeta/io";
import type { MetaBatch, MetaDataset } from "@gmeta/io";
import * as T from "@gmeta/tensor";
import { MetaDLRM, MetaLearner, MetaTrainer, prepareStep } from "../src/index.js";
import type { StepPrepConfig } from "../src/index.js";
import { createBatchTransform } from "../src/data/prepareTransform.js";

const { values: args } = parseArgs({
  options: {
    configs: { type: "string", default: "32x1,128x3" },
    steps: { type: "string", default: "48" },
    warmup: { type: "string", default: "8" },
    threads: { type: "string", default: String(T.getNumThreads()) },
  },
});
T.setNumThreads(Number(args.threads));
const STEPS = Number(args.steps);
const WARMUP = Number(args.warmup);
const PER_TASK = 32;
const DENSE = 8;
const DIM = 16;

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.round(q * (xs.length - 1))]!;
/** Median [quartiles] and minimum: a shared machine's outliers show in the quartiles, not the median. */
const cell = (xs: number[], min = true) => `${quantile(xs, 0.5).toFixed(2)} [${quantile(xs, 0.25).toFixed(2)}–${quantile(xs, 0.75).toFixed(2)}]${min ? ` ${Math.min(...xs).toFixed(2)}` : ""}`.padEnd(30);

function makeTrainer(pg: ProcessGroup, ds: MetaDataset, innerSteps: number) {
  const model = new MetaDLRM({
    denseDim: DENSE, embeddingDim: DIM, bottom: [32], top: [64, 32],
    slots: [{ name: "item", table: "item", pooling: "sum" }, { name: "category", table: "category", pooling: "sum" }, { name: "tags", table: "tags", pooling: "mean" }],
  });
  const learner = new MetaLearner(model, { algorithm: "maml", innerSteps, innerLr: 0.1, adapt: "all", seed: 0 });
  const tables: TableConfig[] = model.slots.map((s, i) => ({ name: s.table, rows: ds.manifest.slots.find((x) => x.name === s.table)!.vocab, dim: DIM, init: { kind: "normal", std: 0.05 }, seed: i }));
  const optimizer = { kind: "adagrad" as const, lr: 0.05, rowWise: true };
  const collection = new ShardedEmbeddingCollection({ tables, plan: planSharding({ tables, worldSize: pg.size, optimizer }), processGroup: pg, optimizer });
  const trainer = new MetaTrainer({ learner, processGroup: pg, embeddings: collection, outerLr: 1e-3 });
  return { trainer, dispose: () => (trainer.dispose(), learner.dispose(), collection.dispose()) };
}

interface Paired {
  inline: number[];
  worker: number[];
  saved: number[];
  prep: number[];
  receive: number[];
  same: boolean;
}

/** WARMUP + STEPS batches, each stepped by both trainers: from the loader (its worker prepares) or prepared ahead. */
async function runPaired(pg: ProcessGroup, ds: MetaDataset, tasks: number, innerSteps: number, ahead: boolean): Promise<Paired> {
  const a = makeTrainer(pg, ds, innerSteps);
  const b = makeTrainer(pg, ds, innerSteps);
  const spec = a.trainer.batchTransform()!;
  const loader = ds.loader({ tasksPerBatch: tasks, seed: 1, workers: ahead ? 0 : 1, ...(ahead ? {} : { transform: spec }) });
  const batches: MetaBatch[] = [];
  if (ahead) {
    const prep = createBatchTransform(spec.options as StepPrepConfig);
    for await (const x of loader) if (batches.push({ ...x, prepared: structuredClone(prep(x, { epoch: x.epoch, index: x.index, rank: 0 })) }) === WARMUP + STEPS) break;
  }
  const out: Paired = { inline: [], worker: [], saved: [], prep: [], receive: [], same: true };
  let i = 0;
  for await (const batch of ahead ? batches : loader) {
    const raw = { support: batch.support, query: batch.query };
    const time = async (run: () => Promise<{ queryLoss: number }>) => {
      const t0 = performance.now();
      const m = await run();
      return { ms: performance.now() - t0, loss: m.queryLoss };
    };
    const first = i % 2 === 0;
    const w1 = first ? await time(() => a.trainer.step(batch)) : null;
    const n = await time(() => b.trainer.step(raw));
    const w = w1 ?? (await time(() => a.trainer.step(batch)));
    out.same &&= w.loss === n.loss;
    if (i >= WARMUP) {
      out.worker.push(w.ms);
      out.inline.push(n.ms);
      out.saved.push(n.ms - w.ms);
      let t0 = performance.now();
      prepareStep(spec.options as StepPrepConfig, raw);
      out.prep.push(performance.now() - t0);
      t0 = performance.now();
      structuredClone(batch.prepared);
      out.receive.push(performance.now() - t0);
    }
    if (++i === WARMUP + STEPS) break;
  }
  await loader.close();
  a.dispose();
  b.dispose();
  return out;
}

async function main(): Promise<void> {
  const pg = await initProcessGroup({ backend: "gloo" });
  const dir = mkdtempSync(join(tmpdir(), "gmeta-bench-prep-"));
  console.log(`Main-thread time per G-Meta step, preparation inline vs in the loader's worker: MetaDLRM d=${DIM}, 2nd-order MAML, ` +
    `${PER_TASK / 2}+${PER_TASK / 2} samples per task, 1 rank, ${args.threads} tensor thread(s), 1 loader worker; ${STEPS} timed steps after ${WARMUP} warm-up; median [quartiles] minimum, ms`);
  console.log(`config      batches  ${["step, inline", "step, prepared", "saved (paired)", "prep (the moved work)", "receive"].map((h) => h.padEnd(30)).join("")}same losses`);
  try {
    for (const c of args.configs!.split(",")) {
      const [tasks, innerSteps] = c.split("x").map(Number) as [number, number];
      const users = (WARMUP + STEPS + 1) * tasks;
      // Every timed batch is a new one: its preparation is not served from any cache.
      const raw = await synthesize({ users, items: 50_000, categories: 100, samplesPerUser: [PER_TASK, PER_TASK], dense: DENSE, seed: tasks + innerSteps, out: join(dir, `raw-${c}.arrow`) });
      await prepare({ input: raw.file, schema: raw.schema, out: join(dir, `ds-${c}`), split: { query: 0.5 }, minSupport: 1, minQuery: 1 });
      const ds = await openMetaDataset(join(dir, `ds-${c}`));
      for (const ahead of [true, false]) {
        const r = await runPaired(pg, ds, tasks, innerSteps, ahead);
        const label = ahead ? `T=${tasks} k=${innerSteps}`.padEnd(12) + "ahead    " : "".padEnd(12) + "loader   ";
        console.log(`${label}${cell(r.inline)}${cell(r.worker)}${cell(r.saved, false)}${cell(r.prep)}${cell(r.receive)}${r.same ? "yes" : "NO"}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await pg.close();
  }
}

await main();
