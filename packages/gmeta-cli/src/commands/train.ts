import { join } from "node:path";
import { launch, ncclAvailability } from "@gmeta/collectives";
import { info } from "@gmeta/tensor";
import { parse, reader, UsageError } from "../args.js";
import { DEFAULTS, readConfigFile, validateConfig } from "../config.js";
import type { TrainConfig } from "../config.js";
import { status } from "../progress.js";
import { readJson, writeJson } from "../run/runFiles.js";
import { formatReport } from "../run/summary.js";
import type { Summary } from "../run/summary.js";
import { checkRunFolder, trainRank } from "../run/trainRank.js";
import { loadModel, modelSpecForConfig } from "../run/loadModel.js";
import { writeReports } from "../report/writeReports.js";

export const TRAIN_HELP = `gmeta train: meta-train a recommendation model on prepared tasks

Usage: gmeta train --data DIR --out RUN [options]

  --data DIR              prepared training tasks (gmeta prepare)
  --eval DIR              prepared held-out tasks to evaluate cold-start AUC on
  --out RUN               run folder: config.json, metrics.jsonl, checkpoints/, summary.json,
                          report.md and report.html (the run's charts, self-contained)
  --config FILE           JSON file with any of the settings below (flags override it)
  --nproc N               ranks on this machine; N > 1 starts them with the launcher (default 1)
  --backend B             gloo | mpi | nccl (default gloo; nccl needs --device cuda)
  --device D              cpu | cuda | cuda:N: where the meta-step and embedding rows live
                          (default cpu; local rank r of a job uses GPU N + r)
  --model M               dlrm | melu | an npm package | a path to a module exporting
                          createModel (see @gmeta/maml's README) (default dlrm)
  --model-options JSON    options for the model's factory (a JSON object)
  --embedding-dim D       (default 16)
  --algorithm A           maml | fomaml | metasgd (default maml)
  --inner-steps K         inner SGD steps per task (default 1)
  --inner-lr A            inner learning rate (default 0.5)
  --adapt S               all | dense | head | embeddings: what the inner loop adapts (default all)
  --outer-lr B            Adam learning rate of the meta-parameters (default 0.003)
  --sparse-optimizer O    sgd | adagrad | adam for embedding rows (default adagrad)
  --sparse-lr L           (default 0.05)
  --tasks-per-batch T     tasks per meta-step over all ranks, a multiple of nproc (default 32)
  --epochs E              (default 4)
  --max-steps S           stop after S steps (default: all epochs)
  --strategy S            gmeta | naive (the DMAML-style baseline) (default gmeta)
  --no-baseline           skip training the non-meta baseline
  --checkpoint-every S    steps between checkpoints (default: at the end only)
  --resume                continue RUN from its latest checkpoint
  --overwrite             replace the run already in RUN
  --seed S                (default 0)
  --workers W             decode threads per rank (default 1)
  --embedding-memory-mib M  embedding rows + optimizer state one rank may hold; a plan over it
                          is refused before allocation (default: 3/4 of memory / local ranks)`;

const FLAGS: Record<string, keyof TrainConfig> = {
  data: "data", eval: "eval", out: "out", model: "model", "embedding-dim": "embeddingDim", algorithm: "algorithm",
  "inner-steps": "innerSteps", "inner-lr": "innerLr", adapt: "adapt", "outer-lr": "outerLr", "sparse-optimizer": "sparseOptimizer",
  "sparse-lr": "sparseLr", "tasks-per-batch": "tasksPerBatch", epochs: "epochs", "max-steps": "maxSteps", strategy: "strategy",
  "checkpoint-every": "checkpointEvery", seed: "seed", workers: "workers", nproc: "nproc", backend: "backend", device: "device",
  "embedding-memory-mib": "embeddingMemoryMiB",
};
const NUMERIC = new Set<keyof TrainConfig>(["embeddingDim", "innerSteps", "innerLr", "outerLr", "sparseLr", "tasksPerBatch", "epochs", "maxSteps", "checkpointEvery", "seed", "workers", "nproc", "embeddingMemoryMiB"]);

/** Parses flags (and --config) into a validated config, or null for --help. */
export function trainArgs(argv: string[]): { cfg: TrainConfig; resume: boolean; overwrite: boolean } | null {
  const spec = Object.fromEntries(Object.keys(FLAGS).map((k) => [k, { type: "string" as const }]));
  const { values } = parse("train", argv, {
    ...spec, config: { type: "string" }, resume: { type: "boolean" }, overwrite: { type: "boolean" }, "no-baseline": { type: "boolean" }, "model-options": { type: "string" },
  });
  if (values.help) return null;
  const r = reader("train", values);
  const file = r.str("config");
  const merged: Record<string, unknown> = { ...DEFAULTS, ...(file ? readConfigFile(file) : {}) };
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
  checkDevice(cfg.device);
  checkBackend(cfg.backend);
  if (r.flag("resume") && r.flag("overwrite")) throw new UsageError("gmeta train: expected one of --resume and --overwrite, got both");
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

function isRank(): boolean {
  return process.env.RANK !== undefined || process.env.OMPI_COMM_WORLD_RANK !== undefined || process.env.SLURM_PROCID !== undefined;
}

/** Runs a training job here (one rank, or this rank of a launched job); rank 0 writes the summary. */
export async function runTrainHere(cfg: TrainConfig, resume: boolean, overwrite = false, extra: Partial<Summary> = {}): Promise<Summary | null> {
  const out = await trainRank(cfg, { resume, overwrite });
  if (Number(process.env.RANK ?? 0) !== 0) return null;
  const summary: Summary = { createdBy: "@gmeta/cli", worldSize: out.worldSize, config: cfg, phases: out.phases, ...extra };
  writeJson(join(cfg.out, "summary.json"), summary);
  writeReports(cfg.out, summary);
  return summary;
}

/** Runs a job of cfg.nproc ranks through the launcher (re-running this command per rank). */
export async function launchTrain(cfg: TrainConfig, argv: string[]): Promise<Summary> {
  const bin = process.argv[1]!;
  const res = await launch({ nproc: cfg.nproc, command: [process.execPath, ...process.execArgv, bin, ...argv], graceMs: 5000 });
  if (res.exitCode !== 0) throw new Error(`training failed: ${res.message}; see the rank's output above`);
  return readJson<Summary>(join(cfg.out, "summary.json"));
}

export async function trainCommand(argv: string[]): Promise<number> {
  const a = trainArgs(argv);
  if (!a) {
    console.log(TRAIN_HELP);
    return 0;
  }
  // A model that cannot load is refused before any rank starts.
  await loadModel(a.cfg.model);
  let summary: Summary | null;
  if (a.cfg.nproc > 1 && !isRank()) {
    // Refused here too, before any rank starts.
    checkRunFolder(a.cfg.out, a);
    summary = await launchTrain(a.cfg, ["train", ...argv]);
  } else {
    summary = await runTrainHere(a.cfg, a.resume, a.overwrite);
  }
  // Ranks of a launched job stay quiet; the launching process prints the report once.
  if (summary && !isRank()) {
    console.log(formatReport(summary));
    status(`run folder: ${a.cfg.out}; report: ${join(a.cfg.out, "report.html")}`);
  }
  return 0;
}
