import { accessSync, constants, statSync } from "node:fs";
import { readArrow } from "./arrowReader.js";
import { BadRows } from "./badRows.js";
import { defaultChecks } from "./readChecks.js";
import { readCsv } from "./csvReader.js";
import { explainFsError, FsError } from "./fsError.js";
import { readParquet } from "./parquetReader.js";
import { formatOf, type RawFormat } from "./rawFormat.js";
import { validateSchema, type RawSchema } from "./rawSchema.js";
import type { SampleChunk } from "./sampleChunk.js";

/** Options of {@link readRaw}. */
export interface ReadRawOptions {
  format?: RawFormat;
  /** Most rows per yielded chunk (CSV and Parquet). */
  chunkRows?: number;
  /** Rows may lack a label (an empty CSV field, null, or NaN); their label reads as NaN (default false). */
  unlabelled?: boolean;
  /** What to do with rows holding NaN, infinities or values beyond float32 (default: fail), and their count. */
  badRows?: BadRows;
  /** Refuse ids a table without hashBuckets cannot index, naming file, row and column (default false). */
  idRange?: boolean;
}

/** Refuses a path that is not a readable regular file, naming it and the cause. */
export function checkInputFile(file: string): void {
  let st;
  try {
    st = statSync(file);
  } catch (e) {
    throw explainFsError(e, file, "read the input");
  }
  if (st.isDirectory()) throw new FsError(file, "read the input", "EISDIR");
  try {
    accessSync(file, constants.R_OK);
  } catch (e) {
    throw explainFsError(e, file, "read the input");
  }
}

/** Streams raw samples from a CSV, Arrow IPC or Parquet file as chunks, checked against `schema`. */
export function readRaw(file: string, schema: RawSchema, options: ReadRawOptions = {}): AsyncGenerator<SampleChunk> {
  validateSchema(schema);
  const format = options.format ?? formatOf(file);
  const rows = options.chunkRows ?? 65536;
  const checks = defaultChecks({ bad: options.badRows ?? new BadRows(), unlabelled: options.unlabelled ?? false, idRange: options.idRange ?? false });
  return (async function* () {
    checkInputFile(file);
    try {
      if (format === "csv") yield* readCsv(file, schema, rows, checks);
      else if (format === "arrow") yield* readArrow(file, schema, checks);
      else yield* readParquet(file, schema, rows, checks);
    } catch (e) {
      throw explainFsError(e, file, "read the input");
    }
  })();
}
