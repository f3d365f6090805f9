import { DEFAULT_LEARNER, DEFAULT_TRAINER, registeredModels } from "@gmeta/maml";
import { z } from "zod";

/**
 * The one description of a training run's settings: every choice list and every default is
 * written here once, and the flags, config files, checkpoints and help text read it. Defaults
 * that a library documents (inner and outer learning rates, inner steps, algorithm, adapt
 * scope, strategy) are the library's own values, not copies; so are the built-in model names
 * (@gmeta/maml's model registry), which a model plugin joins.
 */
export const CHOICES = {
  algorithm: ["maml", "fomaml", "metasgd"],
  adapt: ["all", "dense", "head", "embeddings"],
  sparseOptimizer: ["sgd", "adagrad", "adam"],
  strategy: ["gmeta", "naive"],
  backend: ["gloo", "mpi", "nccl"],
} as const;

const choice = <T extends readonly [string, ...string[]]>(options: T) => {
  const what = options.map((o) => `"${o}"`).join(" | ");
  return z.enum(options, { error: what });
};
const int = (min: number) => z.int({ error: `an integer >= ${min}` }).min(min, { error: `an integer >= ${min}` });
const rate = z.number({ error: "a finite number >= 0" }).min(0, { error: "a finite number >= 0" }).refine(Number.isFinite, { error: "a finite number >= 0" });
const modelWhat = `${registeredModels().map((n) => `"${n}"`).join(", ")}, an npm package or a path to a model module`;
const widths = z.array(z.int({ error: "a list of positive integers" }).positive({ error: "a list of positive integers" }), { error: "a list of positive integers" });

export const trainConfigSchema = z
  .strictObject({
    /** Prepared Meta-IO dataset of training tasks. */
    data: z.string({ error: "a prepared dataset folder" }).min(1, { error: "a prepared dataset folder" }),
    /** Prepared dataset of held-out tasks to evaluate on (optional). */
    eval: z.string({ error: "a prepared dataset folder or null" }).min(1).nullable(),
    /** Run folder. */
    out: z.string({ error: "a run folder" }).min(1, { error: "a run folder" }),
    /**
     * A built-in model (@gmeta/maml's registry), an npm package or a path to a module whose
     * `createModel` factory builds the MetaModel (see @gmeta/maml's README).
     */
    model: z.string({ error: modelWhat }).min(1, { error: modelWhat }),
    /** Options handed to the model's factory (the built-ins read bottom / top / hidden from here first). */
    modelOptions: z.record(z.string(), z.unknown(), { error: "a JSON object" }).default({}),
    embeddingDim: int(1),
    /** Hidden widths: MetaDLRM's bottom and top MLPs, MeLU's decision MLP. */
    bottom: widths,
    top: widths,
    hidden: widths,
    algorithm: choice(CHOICES.algorithm),
    innerSteps: int(0),
    innerLr: rate,
    embeddingInnerLr: rate.nullable().or(z.null()),
    adapt: choice(CHOICES.adapt),
    outerLr: rate,
    /** Sparse optimizer of the embedding rows. */
    sparseOptimizer: choice(CHOICES.sparseOptimizer),
    sparseLr: rate,
    /** Tasks per meta-step over all ranks (a multiple of nproc). */
    tasksPerBatch: int(1),
    epochs: int(1),
    /** Stop after this many steps (0: run every epoch). */
    maxSteps: int(0),
    strategy: choice(CHOICES.strategy),
    /** Also train the same model without meta-learning, for comparison. */
    baseline: z.boolean({ error: "true or false" }),
    /**
     * Capture the learner step once per shape bucket and replay it natively (false: eager, the
     * reference path). Runs made before this key existed read as compiled.
     */
    compile: z.boolean({ error: "true or false" }).default(true),
    nproc: int(1),
    /** "nccl" needs a CUDA device: dense buckets and embedding rows then never leave the GPU. */
    backend: choice(CHOICES.backend),
    /**
     * Where the meta-step and this rank's embedding rows live: "cpu" or "cuda:N"; with several
     * ranks on one host, local rank r uses GPU (N + r) mod the GPU count.
     */
    device: z
      .string({ error: '"cpu", "cuda" or "cuda:N"' })
      .regex(/^(cpu|cuda(:\d+)?)$/, { error: '"cpu", "cuda" or "cuda:N"' })
      .transform((d) => (d === "cuda" ? "cuda:0" : d)),
    seed: int(0),
    /** Steps between checkpoints (0: only at the end). */
    checkpointEvery: int(0),
    workers: int(0),
    /** Meta-batches decoded ahead of the step. */
    prefetch: int(1),
    /**
     * Embedding rows + optimizer state one rank may hold, MiB (0: three quarters of the
     * machine's memory over its local ranks). Runs made before this key existed read as 0.
     */
    embeddingMemoryMiB: int(0).default(0),
  })
  .superRefine((c, ctx) => {
    if (c.backend === "nccl" && c.device === "cpu") {
      ctx.addIssue({ code: "custom", path: ["backend"], input: c.backend, message: '"gloo" or "mpi" with device "cpu" (NCCL works on CUDA tensors: set device "cuda")' });
    }
    if (c.tasksPerBatch % c.nproc !== 0) ctx.addIssue({ code: "custom", path: ["tasksPerBatch"], input: c.tasksPerBatch, message: `a multiple of nproc (${c.nproc})` });
  });

/** Everything a training run is made of; written to the run folder as config.json. */
export type TrainConfig = z.output<typeof trainConfigSchema>;

export const DEFAULTS: Omit<TrainConfig, "data" | "out"> = {
  eval: null,
  model: "dlrm",
  modelOptions: {},
  embeddingDim: 16,
  bottom: [32],
  top: [64, 32],
  hidden: [64, 32],
  algorithm: DEFAULT_LEARNER.algorithm as TrainConfig["algorithm"],
  innerSteps: DEFAULT_LEARNER.innerSteps,
  innerLr: DEFAULT_LEARNER.innerLr,
  embeddingInnerLr: null,
  adapt: DEFAULT_LEARNER.adapt,
  outerLr: DEFAULT_TRAINER.outerLr,
  sparseOptimizer: "adagrad",
  sparseLr: 0.05,
  tasksPerBatch: 32,
  epochs: 4,
  maxSteps: 0,
  strategy: DEFAULT_TRAINER.strategy,
  baseline: true,
  compile: true,
  nproc: 1,
  backend: "gloo",
  device: "cpu",
  seed: DEFAULT_LEARNER.seed,
  checkpointEvery: 0,
  workers: 1,
  prefetch: 2,
  embeddingMemoryMiB: 0,
};
