import { join } from "node:path";
import { launch, ncclAvailability } from "@gmeta/collectives";
import { registeredModels } from "@gmeta/maml";
import { info } from "@gmeta/tensor";
import { parse, reader, UsageError } from "../args.js";
import { CHOICES, DEFAULTS, readConfigFile, validateConfig, withDefaults } from "../config.js";
import type { TrainConfig } from "../config.js";
import { status } from "../progress.js";
import { openMetaDataset } from "@gmeta/io";
import { Interrupted } from "../run/interrupt.js";
import { preflightTrain } from "../run/preflight.js";
import { isLaunchedRank, launchEnv } from "../run/rankEnv.js";
import { readChecked, removePartialCheckpoints, writeJson } from "../run/runFiles.js";
import { summarySchema } from "../schemas/runFiles.js";
import { formatReport } from "../run/summary.js";
import type { Summary } from "../run/summary.js";
import { checkRunFolder, interruptMessage, trainRank } from "../run/trainRank.js";
import { loadModel, modelSpecForConfig } from "../run/loadModel.js";
import { writeReports } from "../report/writeReports.js";

const d = DEFAULTS;
const one = (k: keyof typeof CHOICES) => CHOICES[k].join(" | ");

export const TRAIN_HELP = `gmeta train: meta-train a recommendation model on prepared tasks

Usage: gmeta train --data DIR --out RUN [options]

  --data DIR              prepared training tasks (gmeta prepare)
  --eval DIR              prepared held-out tasks to evaluate cold-start AUC on
  --out RUN               run folder: config.json, metrics.jsonl, checkpoints/, summary.json,
                          report.md and report.html (the run's charts, self-contained)
  --config FILE           JSON file with any of the settings below (flags override it)
  --nproc N               ranks on this machine; N > 1 starts them with the launcher (default ${d.nproc};
                          under torchrun, mpirun or Slurm the launcher's world size)
  --backend B             ${one("backend")} (default ${d.backend}; nccl needs --device cuda)
  --device D              cpu | cuda | cuda:N: where the meta-step and embedding rows live
                          (default ${d.device}; local rank r of a job uses GPU N + r)
  --model M               ${registeredModels().join(" | ")} | an npm package | a path to a module exporting
                          createModel (see @gmeta/maml's README) (default ${d.model})
  --model-options JSON    options for the model's factory (a JSON object)
  --embedding-dim D       (default ${d.embeddingDim})
  --algorithm A           ${one("algorithm")} (default ${d.algorithm})
  --inner-steps K         inner SGD steps per task (default ${d.innerSteps})
  --inner-lr A            inner learning rate (default ${d.innerLr})
  --adapt S               ${one("adapt")}: what the inner loop adapts (default ${d.adapt})
  --outer-lr B            Adam learning rate of the meta-parameters (default ${d.outerLr})
  --sparse-optimizer O    ${one("sparseOptimizer")} for embedding rows (default ${d.sparseOptimizer})
  --sparse-lr L           (default ${d.sparseLr})
  --tasks-per-batch T     tasks per meta-step over all ranks, a multiple of nproc (default ${d.tasksPerBatch})
  --epochs E              (default ${d.epochs})
  --max-steps S           stop after S steps (default: all epochs)
  --strategy S            ${one("strategy")} (naive: the DMAML-style baseline) (default ${d.strategy})
  --no-baseline           skip training the non-meta baseline
  --no-compile            run the learner step eagerly (the reference path) instead of
                          replaying its captured program
  --checkpoint-every S    steps between checkpoints (default: at the end only)
  --resume                continue RUN from its latest checkpoint
  --overwrite             replace the run already in RUN
  --seed S                (default ${d.seed})
  --workers W             decode threads per rank, which also prepare each batch for the step (default ${d.workers}; 0: both on the training thread)
  --prefetch P            meta-batches decoded ahead of the step (default ${d.prefetch})
  --embedding-memory-mib M  embedding rows + optimizer state one rank may hold; a plan over it
                          is refused before allocation (default: 3/4 of memory / local ranks)

Ctrl-C (or SIGTERM) stops every rank, removes a checkpoint being written and exits 130 (143).`;

const FLAGS: Record<string, keyof TrainConfig> = {
  data: "data", eval: "eval", out: "out", model: "model", "embedding-dim": "embeddingDim", algorithm: "algorithm",
  "inner-steps": "innerSteps", "inner-lr": "innerLr", adapt: "adapt", "outer-lr": "outerLr", "sparse-optimizer": "sparseOptimizer",
  "sparse-lr": "sparseLr", "tasks-per-batch": "tasksPerBatch", epochs: "epochs", "max-steps": "maxSteps", strategy: "strategy",
  "checkpoint-every": "checkpointEvery", seed: "seed", workers: "workers", nproc: "nproc", backend: "backend", device: "device",
  prefetch: "prefetch", "embedding-memory-mib": "embeddingMemoryMiB",
};
const NUMERIC = new Set<keyof TrainConfig>(["embeddingDim", "innerSteps", "innerLr", "outerLr", "sparseLr", "tasksPerBatch", "epochs", "maxSteps", "checkpointEvery", "seed", "workers", "nproc", "prefetch", "embeddingMemoryMiB"]);

/** Parses flags (and --config) into a validated config, or null for --help. */
export function trainArgs(argv: string[]): { cfg: TrainConfig; resume: boolean; overwrite: boolean } | null {
  const spec = Object.fromEntries(Object.keys(FLAGS).map((k) => [k, { type: "string" as const }]));
  const { values } = parse("train", argv, {
    ...spec, config: { type: "string" }, resume: { type: "boolean" }, overwrite: { type: "boolean" }, "no-baseline": { type: "boolean" },
    "no-compile": { type: "boolean" }, "model-options": { type: "string" },
  });
  if (values.help) return null;
  const r = reader("train", values);
  if (r.flag("resume") && r.flag("overwrite")) throw new UsageError("gmeta train: expected one of --resume and --overwrite, got both");
  const file = r.str("config");
  const fromFile = file ? readConfigFile(file) : {};
  const merged: Record<string, unknown> = withDefaults(fromFile);
  for (const [flag, key] of Object.entries(FLAGS)) {
    const v = values[flag];
    if (typeof v !== "string") continue;
    if (NUMERIC.has(key)) {
      const n = Number(v);
      if (v.trim() === "" || !Number.isFinite(n)) throw new UsageError(`gmeta train: expected a number for --${flag}, got ${JSON.stringify(v)}`);
      merged[key] = n;
    } else merged[key] = v;
  }
  if (values["no-baseline"]) merged.baseline = false;
  if (values["no-compile"]) merged.compile = false;
  // Under a launcher the world size is the launcher's: config.json records the real one.
  const env = launchEnv();
  if (isLaunchedRank(env)) {
    const asked = values.nproc !== undefined || "nproc" in fromFile;
    if (asked && merged.nproc !== env.size) {
      throw new UsageError(`gmeta train: expected --nproc ${env.size} (the world size ${env.launchedBy} started) or none, got ${JSON.stringify(merged.nproc)}`);
    }
    merged.nproc = env.size;
  }
  const mo = r.str("model-options");
  if (mo !== undefined) {
    try {
      merged.modelOptions = JSON.parse(mo) as unknown;
    } catch (e) {
      throw new UsageError(`gmeta train: expected a JSON object for --model-options, got ${JSON.stringify(mo)} (${(e as Error).message})`);
    }
  }
  const cfg = validateConfig(merged, file ? `${file} and flags` : "flags");
  cfg.model = modelSpecForConfig(cfg.model);
  return { cfg, resume: r.flag("resume"), overwrite: r.flag("overwrite") };
}

/** Refuses NCCL where it cannot load, before any rank starts. */
export function checkBackend(backend: string, command = "train"): void {
  if (backend !== "nccl") return;
  const nccl = ncclAvailability();
  if (!nccl.available) throw new UsageError(`gmeta ${command}: --backend nccl is not usable here: ${nccl.reason} (use --backend gloo)`);
}

/** Refuses a CUDA device this machine cannot use before any rank starts. */
export function checkDevice(device: string, command = "train"): void {
  if (device === "cpu") return;
  const cuda = info().cuda;
  const index = Number(device.slice(5));
  if (!cuda.available || index >= cuda.devices) {
    throw new UsageError(`gmeta ${command}: --device ${device} is not usable here: ${cuda.available ? `${cuda.devices} CUDA device(s)` : cuda.reason} (use --device cpu)`);
  }
}

/** The device and backend checks, once per job: by the process that starts the ranks, or by a rank nobody checked for. */
export function checkPlacement(cfg: TrainConfig, command = "train"): void {
  if (launchEnv().launchedBy === "gmeta") return;
  checkDevice(cfg.device, command);
  checkBackend(cfg.backend, command);
}

/** Runs a training job here (one rank, or this rank of a launched job); rank 0 writes the summary. */
export async function runTrainHere(cfg: TrainConfig, resume: boolean, overwrite = false, extra: Partial<Summary> = {}): Promise<Summary | null> {
  const out = await trainRank(cfg, { resume, overwrite });
  // The rank as the launcher numbered it (mpirun sets no RANK): only rank 0 writes the run's files.
  if (launchEnv().rank !== 0) return null;
  const summary: Summary = { createdBy: "@gmeta/cli", worldSize: out.worldSize, config: cfg, phases: out.phases, ...extra };
  writeJson(join(cfg.out, "summary.json"), summary);
  writeReports(cfg.out, summary);
  return summary;
}

/** Checks what the ranks would check, in the launching process, before any rank starts or anything is written. */
export async function preflightLaunch(cfg: TrainConfig, resume: boolean, overwrite: boolean): Promise<void> {
  const data = await openMetaDataset(cfg.data);
  const evalData = cfg.eval ? await openMetaDataset(cfg.eval, { verify: false }) : null;
  checkRunFolder(cfg.out, { resume, overwrite });
  preflightTrain(cfg, data, evalData, { resume, localRanks: cfg.nproc });
}

/** Runs a job of cfg.nproc ranks through the launcher (re-running this command per rank). */
export async function launchTrain(cfg: TrainConfig, argv: string[]): Promise<Summary> {
  const bin = process.argv[1]!;
  const res = await launch({ nproc: cfg.nproc, command: [process.execPath, ...process.execArgv, bin, ...argv], graceMs: 5000 });
  const interrupted = /interrupted by (SIG\w+)/.exec(res.message);
  if (interrupted) {
    // Ranks clean up after themselves; one killed after the grace period could not.
    removePartialCheckpoints(cfg.out);
    throw new Interrupted(interrupted[1] as NodeJS.Signals, interruptMessage(cfg.out, interrupted[1] as NodeJS.Signals));
  }
  if (res.exitCode !== 0) throw new Error(`training failed: ${res.message}; see the rank's output above`);
  return readChecked(join(cfg.out, "summary.json"), summarySchema) as unknown as Summary;
}

export async function trainCommand(argv: string[]): Promise<number> {
  const a = trainArgs(argv);
  if (!a) {
    console.log(TRAIN_HELP);
    return 0;
  }
  checkPlacement(a.cfg);
  // A model that cannot load is refused before any rank starts.
  await loadModel(a.cfg.model);
  let summary: Summary | null;
  const launched = isLaunchedRank();
  if (a.cfg.nproc > 1 && !launched) {
    await preflightLaunch(a.cfg, a.resume, a.overwrite);
    summary = await launchTrain(a.cfg, ["train", ...argv]);
  } else {
    summary = await runTrainHere(a.cfg, a.resume, a.overwrite);
  }
  // Ranks of a launched job stay quiet; the launching process prints the report once.
  if (summary && !launched) {
    console.log(formatReport(summary));
    status(`run folder: ${a.cfg.out}; report: ${join(a.cfg.out, "report.html")}`);
  }
  return 0;
}
