import { readArrow } from "./arrowReader.js";
import { readCsv } from "./csvReader.js";
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
}

/** Streams raw samples from a CSV, Arrow IPC or Parquet file as chunks, checked against `schema`. */
export function readRaw(file: string, schema: RawSchema, options: ReadRawOptions = {}): AsyncGenerator<SampleChunk> {
  validateSchema(schema);
  const format = options.format ?? formatOf(file);
  const rows = options.chunkRows ?? 65536;
  const u = options.unlabelled ?? false;
  if (format === "csv") return readCsv(file, schema, rows, u);
  if (format === "arrow") return readArrow(file, schema, u);
  return readParquet(file, schema, rows, u);
}
