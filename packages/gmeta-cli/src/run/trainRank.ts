import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { ProcessGroup } from "@gmeta/collectives";
import { initProcessGroup } from "@gmeta/collectives";
import type { LoaderState, MetaDataset } from "@gmeta/io";
import { openMetaDataset } from "@gmeta/io";
import type { Algorithm, Evaluation, StepMetrics, TrainerState } from "@gmeta/maml";
import { evaluate } from "@gmeta/maml";
import type { TrainConfig } from "../config.js";
import { Progress, status } from "../progress.js";
import { buildJob } from "./buildJob.js";
import { appendJsonl, latestCheckpoint, readJson, writeJson } from "./runFiles.js";

export interface PhaseResult {
  phase: "meta" | "baseline";
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
  return initProcessGroup({ backend: cfg.backend, ...(alone ? { store: { kind: "tcp", port: 0 } } : {}) });
}

/** Saves a checkpoint collectively: every rank writes its embedding shard, rank 0 the rest. */
async function saveCheckpoint(runDir: string, pg: ProcessGroup, job: ReturnType<typeof buildJob>, loader: LoaderState, step: number) {
  const final = join(runDir, "checkpoints", `step-${String(step).padStart(6, "0")}`);
  const tmp = `${final}.partial`;
  if (pg.rank === 0) {
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
  }
  await pg.barrier();
  await job.collection.save(join(tmp, "embeddings"));
  if (pg.rank === 0) {
    writeJson(join(tmp, "loader.json"), loader);
    // trainer.json last: its presence marks a complete checkpoint.
    writeJson(join(tmp, "trainer.json"), job.trainer.state());
    rmSync(final, { recursive: true, force: true });
    renameSync(tmp, final);
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
      await saveCheckpoint(cfg.out, pg, job, loader.state(), m.step);
    }
    if (m.step >= total) break;
  }
  const seconds = (performance.now() - t0) / 1000;
  if (isMeta) await saveCheckpoint(cfg.out, pg, job, loader.state(), job.trainer.steps);
  let ev: Evaluation | null = null;
  if (evalData) {
    const tasks = evalData.index.task.length;
    const evalPerRank = Math.max(1, Math.min(perRank, Math.floor(tasks / W)));
    const evalLoader = evalData.loader({ rank: pg.rank, worldSize: W, tasksPerBatch: evalPerRank, shuffle: false, remainder: "pad", workers: cfg.workers });
    ev = await evaluate(job.learner, job.store, pg, evalLoader);
  }
  job.trainer.optimizer.dispose();
  return {
    phase, algorithm, steps: job.trainer.steps, seconds,
    samplesPerSec: median(rates), tasksPerSec: median(taskRates), finalQueryLoss: last?.queryLoss ?? NaN, eval: ev,
    comm: {
      allReducePerStep: comm.ar / Math.max(1, comm.n), allToAllPerStep: comm.a2a / Math.max(1, comm.n),
      allReduceBytesPerStep: comm.arB / Math.max(1, comm.n), allToAllBytesPerStep: comm.a2aB / Math.max(1, comm.n),
    },
  };
}

/** The work of one rank: meta-training (and the baseline), evaluation, and the run files on rank 0. */
export async function trainRank(cfg: TrainConfig, opts: { resume: boolean }): Promise<RankOutcome> {
  const pg = await joinGroup(cfg);
  try {
    if (pg.rank === 0) {
      mkdirSync(cfg.out, { recursive: true });
      if (!opts.resume) {
        rmSync(join(cfg.out, "metrics.jsonl"), { force: true });
        rmSync(join(cfg.out, "checkpoints"), { recursive: true, force: true });
      }
      writeJson(join(cfg.out, "config.json"), cfg);
    }
    await pg.barrier();
    const data = await openMetaDataset(cfg.data);
    const evalData = cfg.eval ? await openMetaDataset(cfg.eval) : null;
    const phases: PhaseResult[] = [await runPhase(cfg, pg, data, evalData, "meta", opts.resume)];
    if (cfg.baseline) phases.push(await runPhase(cfg, pg, data, evalData, "baseline", false));
    return { worldSize: pg.size, phases };
  } finally {
    await pg.close();
  }
}

export function existsRun(dir: string): boolean {
  return existsSync(join(dir, "config.json"));
}
