import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { ProcessGroup } from "@gmeta/collectives";
import { initProcessGroup, readLaunchEnv } from "@gmeta/collectives";
import type { LoaderState, MetaDataset } from "@gmeta/io";
import { openMetaDataset } from "@gmeta/io";
import type { Algorithm, Evaluation, StepMetrics, TrainerState } from "@gmeta/maml";
import { evaluate } from "@gmeta/maml";
import { UsageError } from "../args.js";
import type { TrainConfig } from "../config.js";
import { Progress, status } from "../progress.js";
import { buildJob, buildTables, checkCompatible, rankDevice } from "./buildJob.js";
import { planTables } from "./embeddingBudget.js";
import { buildModel, loadModel } from "./loadModel.js";
import { appendJsonl, latestCheckpoint, readJson, writeAtomic, writeJson } from "./runFiles.js";

export interface PhaseResult {
  phase: "meta" | "baseline";
  /** The model's own name (MetaModel.name). */
  model?: string;
  algorithm: Algorithm;
  steps: number;
  seconds: number;
  /** Median over steps after the first (warm-up). */
  samplesPerSec: number;
  tasksPerSec: number;
  finalQueryLoss: number;
  eval: Evaluation | null;
  comm: { allReducePerStep: number; allToAllPerStep: number; allReduceBytesPerStep: number; allToAllBytesPerStep: number };
}

export interface RankOutcome {
  worldSize: number;
  phases: PhaseResult[];
}

function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Joins the job (or runs alone) with a free store port when there is no launcher. */
export async function joinGroup(cfg: TrainConfig): Promise<ProcessGroup> {
  const alone = process.env.RANK === undefined && process.env.OMPI_COMM_WORLD_RANK === undefined && process.env.SLURM_PROCID === undefined;
  return initProcessGroup({
    backend: cfg.backend,
    ...(alone ? { store: { kind: "tcp", port: 0 } } : {}),
    ...(cfg.backend === "nccl" ? { device: rankDevice(cfg.device) as `cuda:${number}` } : {}),
  });
}

/** Saves a checkpoint collectively: every rank writes its embedding shard, rank 0 the rest. */
async function saveCheckpoint(cfg: TrainConfig, pg: ProcessGroup, job: ReturnType<typeof buildJob>, loader: LoaderState, step: number) {
  const final = join(cfg.out, "checkpoints", `step-${String(step).padStart(6, "0")}`);
  const tmp = `${final}.partial`;
  if (pg.rank === 0) {
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
  }
  await pg.barrier();
  await job.collection.save(join(tmp, "embeddings"));
  if (pg.rank === 0) {
    writeJson(join(tmp, "loader.json"), loader);
    writeJson(join(tmp, "config.json"), cfg);
    // trainer.json last: its presence marks a complete checkpoint.
    writeJson(join(tmp, "trainer.json"), job.trainer.state());
    // An older checkpoint of the same step stays whole until the new one is in place.
    const old = `${final}.old`;
    rmSync(old, { recursive: true, force: true });
    if (existsSync(final)) renameSync(final, old);
    renameSync(tmp, final);
    rmSync(old, { recursive: true, force: true });
  }
  await pg.barrier();
}

async function runPhase(
  cfg: TrainConfig, pg: ProcessGroup, data: MetaDataset, evalData: MetaDataset | null, phase: "meta" | "baseline", resume: boolean,
): Promise<PhaseResult> {
  const algorithm: Algorithm = phase === "meta" ? cfg.algorithm : "plain";
  const manifests = [data.manifest, ...(evalData ? [evalData.manifest] : [])];
  const job = buildJob(cfg, manifests, pg, algorithm);
  const W = pg.size;
  const perRank = cfg.tasksPerBatch / W;
  const loader = data.loader({
    rank: pg.rank, worldSize: W, tasksPerBatch: perRank, seed: cfg.seed, epochs: cfg.epochs, workers: cfg.workers, prefetch: cfg.prefetch,
  });
  const isMeta = phase === "meta";
  if (isMeta && resume) {
    const ck = latestCheckpoint(cfg.out);
    if (!ck) throw new Error(`gmeta train --resume: no complete checkpoint under ${join(cfg.out, "checkpoints")}`);
    checkResumable(cfg, readJson<TrainConfig>(join(ck, "config.json")), ck);
    job.trainer.loadState(readJson<TrainerState>(join(ck, "trainer.json")));
    await job.collection.load(join(ck, "embeddings"));
    loader.resume(readJson<LoaderState>(join(ck, "loader.json")));
    if (pg.rank === 0) status(`resumed from ${ck} (step ${job.trainer.steps})`);
  }
  const total = Math.min(cfg.maxSteps || Infinity, loader.batchesPerEpoch * cfg.epochs);
  const progress = pg.rank === 0 ? new Progress(`${phase} (${algorithm}, ${W} rank${W > 1 ? "s" : ""})`, total) : null;
  const metricsFile = join(cfg.out, "metrics.jsonl");
  const rates: number[] = [];
  const taskRates: number[] = [];
  let last: StepMetrics | null = null;
  const comm = { ar: 0, a2a: 0, arB: 0, a2aB: 0, n: 0 };
  const t0 = performance.now();
  // The check comes after each step: pulling one more batch would move the loader past it.
  for await (const batch of job.trainer.steps < total ? loader : []) {
    const m = await job.trainer.step(batch);
    last = m;
    if (m.step > 1) {
      rates.push(m.samplesPerSec);
      taskRates.push(m.tasksPerSec);
    }
    comm.ar += m.allReduce.calls;
    comm.a2a += m.allToAll.calls;
    comm.arB += m.allReduce.bytes;
    comm.a2aB += m.allToAll.bytes;
    comm.n++;
    if (pg.rank === 0) {
      appendJsonl(metricsFile, { phase, epoch: batch.epoch, ...m });
      progress!.update(m.step, `loss ${m.queryLoss.toFixed(4)}`);
    }
    if (isMeta && cfg.checkpointEvery > 0 && m.step % cfg.checkpointEvery === 0 && m.step < total) {
      await saveCheckpoint(cfg, pg, job, loader.state(), m.step);
    }
    if (m.step >= total) break;
  }
  const seconds = (performance.now() - t0) / 1000;
  if (isMeta) await saveCheckpoint(cfg, pg, job, loader.state(), job.trainer.steps);
  let ev: Evaluation | null = null;
  if (evalData) {
    const tasks = evalData.index.task.length;
    const evalPerRank = Math.max(1, Math.min(perRank, Math.floor(tasks / W)));
    const evalLoader = evalData.loader({ rank: pg.rank, worldSize: W, tasksPerBatch: evalPerRank, shuffle: false, remainder: "pad", workers: cfg.workers });
    ev = await evaluate(job.learner, job.store, pg, evalLoader);
  }
  job.dispose();
  return {
    phase, model: job.model.name, algorithm, steps: job.trainer.steps, seconds,
    samplesPerSec: median(rates), tasksPerSec: median(taskRates), finalQueryLoss: last?.queryLoss ?? NaN, eval: ev,
    comm: {
      allReducePerStep: comm.ar / Math.max(1, comm.n), allToAllPerStep: comm.a2a / Math.max(1, comm.n),
      allReduceBytesPerStep: comm.arB / Math.max(1, comm.n), allToAllBytesPerStep: comm.a2aB / Math.max(1, comm.n),
    },
  };
}

/** Settings that fix what a checkpoint's state means; a resumed run must keep them. */
const FIXED: (keyof TrainConfig)[] = ["data", "model", "modelOptions", "embeddingDim", "bottom", "top", "hidden", "algorithm", "adapt", "tasksPerBatch", "nproc", "seed", "sparseOptimizer"];

function checkResumable(cfg: TrainConfig, saved: TrainConfig, ck: string): void {
  for (const k of FIXED) {
    if (JSON.stringify(cfg[k]) !== JSON.stringify(saved[k])) {
      throw new Error(`gmeta train --resume: expected ${k} ${JSON.stringify(saved[k])} (as in ${ck}/config.json), got ${JSON.stringify(cfg[k])}`);
    }
  }
}

/** Refuses to replace a finished or started run unless asked to continue or overwrite it. */
export function checkRunFolder(out: string, opts: { resume: boolean; overwrite: boolean }): void {
  if (!opts.resume && !opts.overwrite && existsSync(join(out, "config.json"))) {
    throw new UsageError(`gmeta train: ${out} already holds a run; pass --resume to continue it or --overwrite to replace it`);
  }
}

/** Keeps the meta phase's metric lines up to the checkpoint a resumed run continues from. */
function trimMetrics(file: string, step: number): void {
  if (!existsSync(file)) return;
  const keep = readFileSync(file, "utf8").split("\n").filter((l) => {
    if (!l) return false;
    const m = JSON.parse(l) as { phase: string; step: number };
    return m.phase === "meta" && m.step <= step;
  });
  writeAtomic(file, keep.length ? `${keep.join("\n")}\n` : "");
}

/** The work of one rank: meta-training (and the baseline), evaluation, and the run files on rank 0. */
export async function trainRank(cfg: TrainConfig, opts: { resume: boolean; overwrite?: boolean }): Promise<RankOutcome> {
  // Inputs are checked before the run folder is touched, so bad input leaves it as it was.
  const data = await openMetaDataset(cfg.data);
  const evalData = cfg.eval ? await openMetaDataset(cfg.eval) : null;
  if (evalData) checkCompatible([data.manifest, evalData.manifest], [cfg.data, cfg.eval!]);
  checkRunFolder(cfg.out, { resume: opts.resume, overwrite: !!opts.overwrite });
  await loadModel(cfg.model);
  // A factory that refuses its options or the data does so before the run folder is touched.
  buildModel(cfg, data.manifest);
  // So does a set of tables that would not fit in memory, before any row is allocated.
  planTables(cfg, buildTables(cfg, [data.manifest, ...(evalData ? [evalData.manifest] : [])]), readLaunchEnv().size);
  const pg = await joinGroup(cfg);
  try {
    if (pg.rank === 0) {
      mkdirSync(cfg.out, { recursive: true });
      if (opts.resume) {
        const ck = latestCheckpoint(cfg.out);
        if (ck) trimMetrics(join(cfg.out, "metrics.jsonl"), readJson<{ step: number }>(join(ck, "trainer.json")).step);
      } else {
        for (const f of ["metrics.jsonl", "summary.json", "report.md", "eval.json"]) rmSync(join(cfg.out, f), { force: true });
        rmSync(join(cfg.out, "checkpoints"), { recursive: true, force: true });
      }
      writeJson(join(cfg.out, "config.json"), cfg);
    }
    await pg.barrier();
    const phases: PhaseResult[] = [await runPhase(cfg, pg, data, evalData, "meta", opts.resume)];
    if (cfg.baseline) phases.push(await runPhase(cfg, pg, data, evalData, "baseline", false));
    return { worldSize: pg.size, phases };
  } finally {
    await pg.close();
  }
}

