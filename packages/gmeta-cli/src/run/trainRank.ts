import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import type { ProcessGroup } from "@gmeta/collectives";
import { initProcessGroup } from "@gmeta/collectives";
import { replaceFolder } from "@gmeta/embedding";
import type { LoaderState, MetaDataset } from "@gmeta/io";
import { openMetaDataset } from "@gmeta/io";
import type { Algorithm, Evaluation, StepMetrics } from "@gmeta/maml";
import { evaluate } from "@gmeta/maml";
import { UsageError } from "../args.js";
import type { TrainConfig } from "../config.js";
import { Progress, status } from "../progress.js";
import { buildJob, rankDevice } from "./buildJob.js";
import { onInterrupt } from "./interrupt.js";
import { loadModel } from "./loadModel.js";
import { preflightTrain, type VerifiedCheckpoint } from "./preflight.js";
import { isLaunchedRank, launchEnv } from "./rankEnv.js";
import { appendJsonl, latestCheckpoint, removePartialCheckpoints, writeAtomic, writeJson } from "./runFiles.js";

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
  const alone = !isLaunchedRank();
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
  const state = job.trainer.state();
  // The step's own check stops training first; this keeps a checkpoint finite whatever led here.
  state.params.forEach((p, i) => {
    const k = p.findIndex((v) => !Number.isFinite(v));
    if (k >= 0) throw new Error(`gmeta train: not writing checkpoint step ${step}: parameter ${state.names[i]} holds ${p[k]} at element ${k}`);
  });
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
    writeJson(join(tmp, "trainer.json"), state);
    // An older checkpoint of the same step stays whole until the new one is in place.
    replaceFolder(tmp, final);
  }
  await pg.barrier();
}

/** A phase's job and loader, built (and for --resume loaded from the checkpoint) before anything is written. */
async function setUpPhase(cfg: TrainConfig, pg: ProcessGroup, data: MetaDataset, evalData: MetaDataset | null, phase: "meta" | "baseline", ck: VerifiedCheckpoint | null) {
  const algorithm: Algorithm = phase === "meta" ? cfg.algorithm : "plain";
  const manifests = [data.manifest, ...(evalData ? [evalData.manifest] : [])];
  const job = buildJob(cfg, manifests, pg, algorithm, undefined, launchEnv().localSize);
  const W = pg.size;
  // The decode workers also prepare each batch for the step (padding, dedup, pair numbering,
  // host inputs), overlapped with the step before it; with no workers the trainer does it.
  const transform = cfg.workers > 0 ? job.trainer.batchTransform() : undefined;
  const loader = data.loader({
    rank: pg.rank, worldSize: W, tasksPerBatch: cfg.tasksPerBatch / W, seed: cfg.seed, epochs: cfg.epochs, workers: cfg.workers, prefetch: cfg.prefetch,
    ...(transform ? { transform } : {}),
  });
  if (ck) {
    try {
      job.trainer.loadState(ck.trainer);
      // Ranks read different shard files; the collection makes them agree before any throws.
      await job.collection.load(join(ck.dir, "embeddings"));
      loader.resume(ck.loader);
    } catch (e) {
      job.dispose();
      throw new Error(`gmeta train --resume: ${ck.dir} cannot be resumed: ${(e as Error).message}`);
    }
  }
  return { job, loader, algorithm };
}

async function runPhase(
  cfg: TrainConfig, pg: ProcessGroup, evalData: MetaDataset | null, phase: "meta" | "baseline", set: Awaited<ReturnType<typeof setUpPhase>>,
): Promise<PhaseResult> {
  const { job, loader, algorithm } = set;
  const W = pg.size;
  const perRank = cfg.tasksPerBatch / W;
  const isMeta = phase === "meta";
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
    ev = await evaluate(job.learner, job.collection, pg, evalLoader, { compile: cfg.compile });
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
    // A line cut short by a crash is dropped with the steps after the checkpoint.
    let m: { phase?: unknown; step?: unknown };
    try {
      m = JSON.parse(l) as typeof m;
    } catch {
      return false;
    }
    return m.phase === "meta" && typeof m.step === "number" && m.step <= step;
  });
  writeAtomic(file, keep.length ? `${keep.join("\n")}\n` : "");
}

/** The work of one rank: meta-training (and the baseline), evaluation, and the run files on rank 0. */
export async function trainRank(cfg: TrainConfig, opts: { resume: boolean; overwrite?: boolean }): Promise<RankOutcome> {
  // Everything is checked before the run folder is touched, so a refused run leaves it as it was.
  const data = await openMetaDataset(cfg.data);
  const evalData = cfg.eval ? await openMetaDataset(cfg.eval) : null;
  checkRunFolder(cfg.out, { resume: opts.resume, overwrite: !!opts.overwrite });
  // A model that cannot load, or whose factory refuses its options or the data, is refused here too.
  await loadModel(cfg.model);
  const ck = preflightTrain(cfg, data, evalData, { resume: opts.resume, localRanks: launchEnv().localSize });
  const pg = await joinGroup(cfg);
  const quiet = isLaunchedRank();
  const cleanup = () => {
    if (pg.rank === 0) removePartialCheckpoints(cfg.out);
  };
  const stopHandlers = onInterrupt(cleanup, quiet ? null : (signal) => interruptMessage(cfg.out, signal));
  try {
    const meta = await setUpPhase(cfg, pg, data, evalData, "meta", ck);
    try {
      if (pg.rank === 0) {
        mkdirSync(cfg.out, { recursive: true });
        removePartialCheckpoints(cfg.out);
        if (ck) {
          trimMetrics(join(cfg.out, "metrics.jsonl"), ck.trainer.step);
        } else {
          for (const f of ["metrics.jsonl", "summary.json", "report.md", "report.html", "eval.json"]) rmSync(join(cfg.out, f), { force: true });
          rmSync(join(cfg.out, "checkpoints"), { recursive: true, force: true });
        }
        writeJson(join(cfg.out, "config.json"), cfg);
        if (ck) status(`resumed from ${ck.dir} (step ${meta.job.trainer.steps})`);
      }
    } catch (e) {
      meta.job.dispose();
      throw e;
    }
    await pg.barrier();
    const phases: PhaseResult[] = [await runPhase(cfg, pg, evalData, "meta", meta)];
    if (cfg.baseline) phases.push(await runPhase(cfg, pg, evalData, "baseline", await setUpPhase(cfg, pg, data, evalData, "baseline", null)));
    return { worldSize: pg.size, phases };
  } catch (e) {
    cleanup();
    throw e;
  } finally {
    stopHandlers();
    await pg.close();
  }
}

/** The one line an interrupted run prints, whatever the rank count. */
export function interruptMessage(out: string, signal: NodeJS.Signals): string {
  const ck = latestCheckpoint(out);
  return `gmeta train: interrupted by ${signal}; ${ck ? `${out} keeps its last complete checkpoint ${basename(ck)}: continue with --resume` : `no checkpoint was complete yet in ${out}`}`;
}
