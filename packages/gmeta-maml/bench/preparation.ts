/**
 * Main-thread time per meta-step with batch preparation (padding, dedup, pair numbering, host
 * inputs) on the training thread, against the same batches prepared in the loader's worker
 * thread (MetaTrainer.batchTransform as the loader's transform), in one run: the whole
 * compiled G-Meta step on one rank, MetaDLRM at d=16 on synthetic data shaped like
 * bench/trainer.ts (16 support + 16 query samples per task, item / category / tags slots).
 *
 * Run: npm run bench:prep -w @gmeta/maml [-- --configs 32x1,128x3 --steps 16 --warmup 4]
 * Prints per configuration and mode, medians (min–max) over the timed steps of:
 *   step ms      wall time of trainer.step (what the training loop waits for);
 *   busy ms      the main thread's busy time per step (event-loop utilisation over the timed
 *                steps: the step itself plus receiving batches, excluding waits);
 *   prep ms      prepareStep alone on the main thread for the same batch (the work moved).
 * and checks that both modes give the same losses bit for bit.
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
import type { MetaDataset } from "@gmeta/io";
import * as T from "@gmeta/tensor";
import { MetaDLRM, MetaLearner, MetaTrainer, prepareStep } from "../src/index.js";
import type { StepPrepConfig } from "../src/index.js";

const { values: args } = parseArgs({
  options: {
    configs: { type: "string", default: "32x1,128x3" },
    steps: { type: "string", default: "16" },
    warmup: { type: "string", default: "4" },
    threads: { type: "string", default: String(T.getNumThreads()) },
  },
});
T.setNumThreads(Number(args.threads));
const STEPS = Number(args.steps);
const WARMUP = Number(args.warmup);
const PER_TASK = 32;
const DENSE = 8;
const DIM = 16;

const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const cell = (xs: number[]) => `${med(xs).toFixed(3)} (${Math.min(...xs).toFixed(3)}–${Math.max(...xs).toFixed(3)})`.padEnd(26);

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

interface ModeResult {
  step: number[];
  busy: number;
  prep: number[];
  losses: number[];
}

/** WARMUP + STEPS steps over the loader's batches, prepared by the worker (`worker`) or by the trainer. */
async function runMode(pg: ProcessGroup, ds: MetaDataset, tasks: number, innerSteps: number, worker: boolean): Promise<ModeResult> {
  const job = makeTrainer(pg, ds, innerSteps);
  const spec = job.trainer.batchTransform()!;
  const loader = ds.loader({ tasksPerBatch: tasks, seed: 1, workers: 1, shuffle: true, ...(worker ? { transform: spec } : {}) });
  const out: ModeResult = { step: [], busy: 0, prep: [], losses: [] };
  let i = 0;
  let elu0 = performance.eventLoopUtilization();
  for await (const b of loader) {
    if (i === WARMUP) elu0 = performance.eventLoopUtilization();
    const raw = { support: b.support, query: b.query };
    const t0 = performance.now();
    const m = await job.trainer.step(worker ? b : raw);
    const t1 = performance.now();
    if (i >= WARMUP) {
      out.step.push(t1 - t0);
      out.losses.push(m.queryLoss);
      const p0 = performance.now();
      prepareStep(spec.options as StepPrepConfig, raw);
      out.prep.push(performance.now() - p0);
    }
    if (++i === WARMUP + STEPS) break;
  }
  // The prepareStep timing above is outside the busy figure: take it off.
  const elu = performance.eventLoopUtilization(elu0);
  out.busy = (elu.active - out.prep.reduce((a, x) => a + x, 0)) / STEPS;
  await loader.close();
  job.dispose();
  return out;
}

async function main(): Promise<void> {
  const pg = await initProcessGroup({ backend: "gloo" });
  const dir = mkdtempSync(join(tmpdir(), "gmeta-bench-prep-"));
  console.log(`Main-thread time per G-Meta step, preparation inline vs in the loader's worker: MetaDLRM d=${DIM}, 2nd-order MAML, ` +
    `${PER_TASK / 2}+${PER_TASK / 2} samples per task, 1 rank, ${args.threads} tensor thread(s), 1 loader worker; ${STEPS} timed steps after ${WARMUP} warm-up, medians (min–max), ms`);
  console.log("config        mode      step ms                   busy ms/step   prep ms (moved work)      same losses");
  try {
    for (const c of args.configs!.split(",")) {
      const [tasks, innerSteps] = c.split("x").map(Number) as [number, number];
      const users = (WARMUP + STEPS + 1) * tasks;
      const raw = await synthesize({ users, items: 50_000, categories: 100, samplesPerUser: [PER_TASK, PER_TASK], dense: DENSE, seed: tasks + innerSteps, out: join(dir, `raw-${c}.arrow`) });
      await prepare({ input: raw.file, schema: raw.schema, out: join(dir, `ds-${c}`), split: { query: 0.5 }, minSupport: 1, minQuery: 1 });
      const ds = await openMetaDataset(join(dir, `ds-${c}`));
      const inline = await runMode(pg, ds, tasks, innerSteps, false);
      const worker = await runMode(pg, ds, tasks, innerSteps, true);
      const same = inline.losses.every((l, i) => l === worker.losses[i]) ? "yes" : "NO";
      const label = `T=${tasks} k=${innerSteps}`.padEnd(14);
      console.log(`${label}inline    ${cell(inline.step)}${inline.busy.toFixed(3).padEnd(15)}${cell(inline.prep)}${same}`);
      console.log(`${"".padEnd(14)}worker    ${cell(worker.step)}${worker.busy.toFixed(3).padEnd(15)}${"-".padEnd(26)}`);
      console.log(`${"".padEnd(14)}ratio     ${(med(inline.step) / med(worker.step)).toFixed(2)}x step, ${(inline.busy / worker.busy).toFixed(2)}x busy`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await pg.close();
  }
}

await main();
