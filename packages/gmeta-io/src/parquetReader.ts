import { promises as fsp } from "node:fs";
import { tableFromIPC } from "apache-arrow";
import { arrowBatchToChunk } from "./arrowBatchToChunk.js";
import { defaultChecks } from "./readChecks.js";
import { DataError } from "./dataError.js";
import { parquetWasm } from "./parquetWasm.js";
import type { RawSchema } from "./rawSchema.js";
import type { SampleChunk } from "./sampleChunk.js";

/**
 * Reads a Parquet file through parquet-wasm, one slice of rows at a time so the decoded
 * table never holds more than `chunkRows` rows (the compressed file itself is read whole).
 */
export async function* readParquet(file: string, schema: RawSchema, chunkRows = 65536, checks = defaultChecks()): AsyncGenerator<SampleChunk> {
  const bytes = new Uint8Array(await fsp.readFile(file));
  if (bytes.length === 0) throw new DataError({ file, row: "schema" }, "empty file (expected a Parquet file)");
  const pw = parquetWasm();
  let rows = 0;
  for (;;) {
    let table;
    try {
      table = tableFromIPC(pw.readParquet(bytes, { offset: rows, limit: chunkRows, batchSize: chunkRows }).intoIPCStream());
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw new DataError({ file, row: rows + 1 }, `truncated or damaged Parquet file (${why})`);
    }
    if (table.numRows === 0) break;
    let got = 0;
    for (const batch of table.batches) {
      if (batch.numRows === 0) continue;
      yield arrowBatchToChunk(batch, schema, file, rows + got, checks);
      got += batch.numRows;
    }
    rows += got;
    if (got < chunkRows) break;
  }
  if (rows === 0) throw new DataError({ file, row: 1 }, "no data rows in the Parquet file");
}
