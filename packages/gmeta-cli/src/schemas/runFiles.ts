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

/** What a run folder's commands read of a checkpoint's embeddings/manifest.json (the collection checks the rest). */
export const embeddingManifestSchema = z.looseObject({
  tables: z.array(z.looseObject({ name: z.string().min(1), rows: z.int().positive() })).min(1),
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
