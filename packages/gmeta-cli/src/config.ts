import { existsSync, readFileSync } from "node:fs";
import { UsageError } from "./args.js";

/** Everything a training run is made of; written to the run folder as config.json. */
export interface TrainConfig {
  /** Prepared Meta-IO dataset of training tasks. */
  data: string;
  /** Prepared dataset of held-out tasks to evaluate on (optional). */
  eval: string | null;
  /** Run folder. */
  out: string;
  /**
   * A built-in model ("dlrm", "melu"), an npm package or a path to a module whose
   * `createModel` factory builds the MetaModel (see @gmeta/maml's README).
   */
  model: string;
  /** Options handed to the model's factory (the built-ins read bottom / top / hidden from here first). */
  modelOptions: Record<string, unknown>;
  embeddingDim: number;
  /** Hidden widths: MetaDLRM's bottom and top MLPs, MeLU's decision MLP. */
  bottom: number[];
  top: number[];
  hidden: number[];
  algorithm: "maml" | "fomaml" | "metasgd";
  innerSteps: number;
  innerLr: number;
  embeddingInnerLr: number | null;
  adapt: "all" | "dense" | "head" | "embeddings";
  outerLr: number;
  /** Sparse optimizer of the embedding rows. */
  sparseOptimizer: "sgd" | "adagrad" | "adam";
  sparseLr: number;
  /** Tasks per meta-step over all ranks (a multiple of nproc). */
  tasksPerBatch: number;
  epochs: number;
  /** Stop after this many steps (0: run every epoch). */
  maxSteps: number;
  strategy: "gmeta" | "naive";
  /** Also train the same model without meta-learning, for comparison. */
  baseline: boolean;
  nproc: number;
  /** "nccl" needs a CUDA device: dense buckets and embedding rows then never leave the GPU. */
  backend: "gloo" | "mpi" | "nccl";
  /**
   * Where the meta-step and this rank's embedding rows live: "cpu" or "cuda:N"; with several
   * ranks on one host, local rank r uses GPU (N + r) mod the GPU count.
   */
  device: string;
  seed: number;
  /** Steps between checkpoints (0: only at the end). */
  checkpointEvery: number;
  workers: number;
  prefetch: number;
  /** Embedding rows + optimizer state per rank, MiB (0: three quarters of the machine's memory over its local ranks). */
  embeddingMemoryMiB: number;
}

export const DEFAULTS: Omit<TrainConfig, "data" | "out"> = {
  eval: null,
  model: "dlrm",
  modelOptions: {},
  embeddingDim: 16,
  bottom: [32],
  top: [64, 32],
  hidden: [64, 32],
  algorithm: "maml",
  innerSteps: 1,
  innerLr: 0.5,
  embeddingInnerLr: null,
  adapt: "all",
  outerLr: 0.003,
  sparseOptimizer: "adagrad",
  sparseLr: 0.05,
  tasksPerBatch: 32,
  epochs: 4,
  maxSteps: 0,
  strategy: "gmeta",
  baseline: true,
  nproc: 1,
  backend: "gloo",
  device: "cpu",
  seed: 0,
  checkpointEvery: 0,
  workers: 1,
  prefetch: 2,
  embeddingMemoryMiB: 0,
};

const CHOICES: Partial<Record<keyof TrainConfig, readonly string[]>> = {
  algorithm: ["maml", "fomaml", "metasgd"],
  adapt: ["all", "dense", "head", "embeddings"],
  sparseOptimizer: ["sgd", "adagrad", "adam"],
  strategy: ["gmeta", "naive"],
  backend: ["gloo", "mpi", "nccl"],
};
const POSITIVE_INTS: (keyof TrainConfig)[] = ["embeddingDim", "tasksPerBatch", "epochs", "nproc"];
const NON_NEG_INTS: (keyof TrainConfig)[] = ["innerSteps", "maxSteps", "seed", "checkpointEvery", "workers", "prefetch"];
// Absent from configs written before the key existed.
const OPTIONAL_NON_NEG_INTS: (keyof TrainConfig)[] = ["embeddingMemoryMiB"];
const NON_NEG_NUMS: (keyof TrainConfig)[] = ["innerLr", "outerLr", "sparseLr"];
const WIDTHS: (keyof TrainConfig)[] = ["bottom", "top", "hidden"];

/**
 * Checks a whole config; `where` names its source in messages (a file or "flags"), `command`
 * the gmeta command whose input it is.
 */
export function validateConfig(c: Record<string, unknown>, where: string, command = "train"): TrainConfig {
  const bad = (key: string, what: string): never => {
    throw new UsageError(`gmeta ${command}: ${where}: expected ${what} for ${key}, got ${JSON.stringify(c[key])}`);
  };
  const known = new Set([...Object.keys(DEFAULTS), "data", "out"]);
  for (const k of Object.keys(c)) if (!known.has(k)) throw new UsageError(`gmeta ${command}: ${where}: unknown key ${JSON.stringify(k)} (known: ${[...known].join(", ")})`);
  if (typeof c.data !== "string" || !c.data) bad("data", "a prepared dataset folder");
  if (typeof c.out !== "string" || !c.out) bad("out", "a run folder");
  if (c.eval !== null && typeof c.eval !== "string") bad("eval", "a prepared dataset folder or null");
  for (const [k, opts] of Object.entries(CHOICES)) if (!opts!.includes(c[k] as string)) bad(k, opts!.map((o) => `"${o}"`).join(" | "));
  for (const k of POSITIVE_INTS) if (!Number.isSafeInteger(c[k]) || (c[k] as number) < 1) bad(k, "an integer >= 1");
  for (const k of NON_NEG_INTS) if (!Number.isSafeInteger(c[k]) || (c[k] as number) < 0) bad(k, "an integer >= 0");
  for (const k of OPTIONAL_NON_NEG_INTS) if (c[k] !== undefined && (!Number.isSafeInteger(c[k]) || (c[k] as number) < 0)) bad(k, "an integer >= 0");
  for (const k of NON_NEG_NUMS) if (typeof c[k] !== "number" || !Number.isFinite(c[k]) || (c[k] as number) < 0) bad(k, "a finite number >= 0");
  if (c.embeddingInnerLr !== null && (typeof c.embeddingInnerLr !== "number" || !Number.isFinite(c.embeddingInnerLr) || c.embeddingInnerLr < 0)) {
    bad("embeddingInnerLr", "a finite number >= 0 or null");
  }
  for (const k of WIDTHS) {
    const v = c[k];
    if (!Array.isArray(v) || !v.every((x) => Number.isSafeInteger(x) && x > 0)) bad(k, "a list of positive integers");
  }
  if (typeof c.model !== "string" || !c.model) bad("model", '"dlrm", "melu", an npm package or a path to a model module');
  if (c.modelOptions !== undefined && (typeof c.modelOptions !== "object" || c.modelOptions === null || Array.isArray(c.modelOptions))) bad("modelOptions", "a JSON object");
  if (typeof c.baseline !== "boolean") bad("baseline", "true or false");
  if (typeof c.device !== "string" || !/^(cpu|cuda(:\d+)?)$/.test(c.device)) bad("device", '"cpu", "cuda" or "cuda:N"');
  if (c.device === "cuda") c.device = "cuda:0";
  if (c.backend === "nccl" && c.device === "cpu") bad("backend", '"gloo" or "mpi" with device "cpu" (NCCL works on CUDA tensors: set device "cuda")');
  const cfg = c as unknown as TrainConfig;
  if (cfg.tasksPerBatch % cfg.nproc !== 0) bad("tasksPerBatch", `a multiple of nproc (${cfg.nproc})`);
  return cfg;
}

/** Reads a JSON config file (any subset of TrainConfig). */
export function readConfigFile(file: string): Record<string, unknown> {
  if (!existsSync(file)) throw new UsageError(`gmeta train: --config ${file}: no such file`);
  try {
    const v = JSON.parse(readFileSync(file, "utf8")) as unknown;
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("expected a JSON object");
    return v as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(`gmeta train: --config ${file}: ${(e as Error).message}`);
  }
}
