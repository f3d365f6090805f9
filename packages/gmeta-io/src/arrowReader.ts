import { promises as fsp } from "node:fs";
import { RecordBatchReader } from "apache-arrow";
import { arrowBatchToChunk } from "./arrowBatchToChunk.js";
import { defaultChecks } from "./readChecks.js";
import { DataError } from "./dataError.js";
import type { RawSchema } from "./rawSchema.js";
import type { SampleChunk } from "./sampleChunk.js";

/**
 * Streams an Arrow IPC file (file or stream format) batch by batch. It reads through a file
 * handle, so Arrow reads the footer and then one batch at a time instead of buffering the file.
 */
export async function* readArrow(file: string, schema: RawSchema, checks = defaultChecks()): AsyncGenerator<SampleChunk> {
  const stat = await fsp.stat(file);
  if (stat.size === 0) throw new DataError({ file, row: "schema" }, "empty file (expected an Arrow IPC file)");
  let rows = 0;
  let reader: RecordBatchReader;
  const handle = await fsp.open(file);
  try {
    reader = await RecordBatchReader.from(handle);
    await reader.open();
  } catch (e) {
    await handle.close();
    throw damaged(file, rows, e);
  }
  try {
    yield* batches();
  } finally {
    await handle.close().catch(() => undefined);
  }
  if (rows === 0) throw new DataError({ file, row: 1 }, "no data rows in the Arrow file");

  async function* batches(): AsyncGenerator<SampleChunk> {
    const it = reader[Symbol.asyncIterator]();
    for (;;) {
      let r: IteratorResult<import("apache-arrow").RecordBatch>;
      try {
        r = await it.next();
      } catch (e) {
        throw damaged(file, rows, e);
      }
      if (r.done) break;
      const batch = r.value;
      if (batch.numRows === 0) continue;
      yield arrowBatchToChunk(batch, schema, file, rows, checks);
      rows += batch.numRows;
    }
  }
}

function damaged(file: string, rows: number, e: unknown): DataError {
  // Arrow's own TypeErrors on a cut file say nothing a user can act on.
  const why = e instanceof TypeError ? "its metadata cannot be read" : e instanceof Error ? e.message : String(e);
  return new DataError({ file, row: rows + 1 }, `truncated or damaged Arrow IPC file (${why})`);
}
