import { z } from "zod";

const finite = z.number({ error: "a finite number (a NaN or an infinity is written as null)" }).refine(Number.isFinite, { error: "a finite number" });

/** A checkpoint's trainer.json: the dense parameters and Adam's state (MetaTrainer.state()). */
export const trainerStateSchema = z.strictObject({
  step: z.int().nonnegative(),
  names: z.array(z.string().min(1)),
  params: z.array(z.array(finite)),
  optimizer: z.object({
    kind: z.string(),
    step: z.int().nonnegative(),
    buffers: z.record(z.string(), z.array(z.array(finite).nullable())),
  }),
});

const inside = z.string().min(1).refine((f) => !f.includes("/") && !f.includes("\\") && f !== "..", { error: "a file name inside the checkpoint folder" });

/**
 * A checkpoint's embeddings/manifest.json (@gmeta/embedding's format 1), checked before the
 * collection opens any shard; the collection then checks it against its own tables and plan.
 */
export const embeddingManifestSchema = z.looseObject({
  format: z.literal("gmeta-embedding-checkpoint"),
  version: z.literal(1),
  byteOrder: z.literal("little"),
  worldSize: z.int().positive(),
  tables: z.array(z.looseObject({ name: z.string().min(1), rows: z.int().positive(), dim: z.int().positive() })).min(1),
  optimizer: z.looseObject({ kind: z.enum(["sgd", "adagrad", "adam"]) }),
  steps: z.record(z.string(), z.int().nonnegative()),
  plan: z.looseObject({}),
  shards: z.array(z.strictObject({
    table: z.string().min(1),
    rank: z.int().nonnegative(),
    rowStart: z.int().nonnegative(),
    rowCount: z.int().positive(),
    file: inside,
    bytes: z.int().nonnegative(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, { error: "a sha256 hex digest" }),
  })).min(1),
});

const nullableNumber = z.number().nullable();
const scores = z.looseObject({ auc: nullableNumber, gauc: nullableNumber, logloss: nullableNumber });
const evaluation = z.looseObject({ tasks: z.int().nonnegative(), samples: z.int().nonnegative(), adapted: scores, unadapted: scores });

/** summary.json of a finished run (NaN figures are written as null). */
export const summarySchema = z.looseObject({
  createdBy: z.string(),
  worldSize: z.int().positive(),
  config: z.looseObject({ model: z.string(), algorithm: z.string() }),
  phases: z.array(z.looseObject({ phase: z.enum(["meta", "baseline"]), steps: z.int().nonnegative(), eval: evaluation.nullable() })),
});

/** eval.json written by gmeta eval. */
export const evalFileSchema = z.looseObject({ checkpoint: z.string(), eval: evaluation });

const count = z.looseObject({ calls: z.number(), bytes: z.number() });

/** One line of metrics.jsonl (a step's StepMetrics; NaN figures are written as null). */
export const metricsLineSchema = z.looseObject({
  phase: z.enum(["meta", "baseline"]),
  step: z.int().nonnegative(),
  queryLoss: nullableNumber,
  supportLoss: nullableNumber,
  samplesPerSec: nullableNumber,
  allReduce: count,
  allToAll: count,
});
