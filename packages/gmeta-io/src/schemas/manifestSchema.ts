import { z } from "zod";
import { MAX_TABLE_ROWS } from "../rawSchema.js";

const count = z.number().int().nonnegative();
const name = z.string().min(1);
/** Rows of a hashed slot's table (see SparseColumn.hashBuckets). */
const hashBuckets = z.number().int().min(1).max(MAX_TABLE_ROWS).optional();

/** A raw schema as prepare records it (and as a --schema file gives it). */
export const rawSchemaSchema = z.strictObject({
  taskKey: name,
  label: name,
  dense: z.array(name),
  sparse: z.array(z.strictObject({ name, list: z.boolean().optional(), hashBuckets })),
  timestamp: name.optional(),
});

const fileEntry = { file: name, bytes: count, sha256: z.string().regex(/^[0-9a-f]{64}$/, "expected a sha256 hex digest") };

/** `manifest.json` of a prepared dataset, format version 1. */
export const manifestSchema = z.object({
  formatVersion: z.number().int().min(1),
  createdBy: z.string(),
  schema: rawSchemaSchema,
  denseDim: count,
  slots: z.array(z.strictObject({ name, list: z.boolean(), vocab: z.number().int().min(0), hashBuckets })),
  split: z.object({
    by: z.enum(["time", "shuffle"]),
    query: z.number().positive(),
    minSupport: count,
    minQuery: count,
    seed: z.number().int(),
  }),
  counts: z.object({
    inputSamples: count,
    tasks: z.number().int().positive(),
    samples: count,
    supportSamples: count,
    querySamples: count,
    droppedTasks: count,
    droppedSamples: count,
    /** Rows refused for bad values and dropped (prepare's onBadRow: "skip"). */
    skippedRows: count.optional(),
  }),
  parts: z.array(z.strictObject({ ...fileEntry, rows: z.number().int().positive(), tasks: z.number().int().positive() })).min(1),
  index: z.strictObject(fileEntry),
});
