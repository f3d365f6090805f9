import { createWriteStream, promises as fsp } from "node:fs";
import { Table, tableToIPC } from "apache-arrow";
import { chunkToRecordBatch } from "./arrowRawTable.js";
import { tempSibling } from "./atomicFile.js";
import { parquetWasm } from "./parquetWasm.js";
import { formatOf, type RawFormat } from "./rawFormat.js";
import { validateSchema, type RawSchema } from "./rawSchema.js";
import type { SampleChunk } from "./sampleChunk.js";

/** Writes raw samples as CSV, Arrow IPC (file format) or Parquet; the file appears only when complete. */
export async function writeRawFile(
  file: string,
  schema: RawSchema,
  chunks: Iterable<SampleChunk> | AsyncIterable<SampleChunk>,
  format: RawFormat = formatOf(file),
): Promise<void> {
  validateSchema(schema);
  const tmp = tempSibling(file);
  try {
    if (format === "csv") await writeCsv(tmp, schema, chunks);
    else {
      const batches = [];
      for await (const c of chunks) batches.push(chunkToRecordBatch(schema, c));
      if (batches.length === 0) throw new Error(`${file}: nothing to write (no samples)`);
      const table = new Table(batches);
      if (format === "arrow") await fsp.writeFile(tmp, tableToIPC(table, "file"));
      else await fsp.writeFile(tmp, toParquet(table));
    }
    await fsp.rename(tmp, file);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw e;
  }
}

function toParquet(table: Table): Uint8Array {
  const pw = parquetWasm();
  const props = new pw.WriterPropertiesBuilder().setMaxRowGroupSize(65536).build();
  return pw.writeParquet(pw.Table.fromIPCStream(tableToIPC(table, "stream")), props);
}

async function writeCsv(
  path: string,
  schema: RawSchema,
  chunks: Iterable<SampleChunk> | AsyncIterable<SampleChunk>,
): Promise<void> {
  const out = createWriteStream(path);
  const done = new Promise<void>((resolve, reject) => {
    out.on("finish", resolve);
    out.on("error", reject);
  });
  let headerDone = false;
  const D = schema.dense.length;
  for await (const c of chunks) {
    const extraNames = Object.keys(c.extra ?? {});
    if (!headerDone) {
      const header = [
        schema.taskKey,
        schema.label,
        ...schema.dense,
        ...schema.sparse.map((s) => s.name),
        ...(schema.timestamp ? [schema.timestamp] : []),
        ...extraNames,
      ];
      out.write(header.join(",") + "\n");
      headerDone = true;
    }
    const lines: string[] = [];
    for (let i = 0; i < c.n; i++) {
      const f: string[] = [String(c.task[i]), String(c.label[i])];
      for (let j = 0; j < D; j++) f.push(num(c.dense[i * D + j]!));
      for (let s = 0; s < schema.sparse.length; s++) {
        const { ids, offsets } = c.sparse[s]!;
        f.push(ids.subarray(offsets[i]!, offsets[i + 1]!).join("|"));
      }
      if (schema.timestamp) f.push(String(c.timestamp ? c.timestamp[i] : 0));
      for (const name of extraNames) f.push(String(c.extra![name]![i]));
      lines.push(f.join(","));
    }
    if (lines.length > 0 && !out.write(lines.join("\n") + "\n")) {
      await new Promise<void>((r) => out.once("drain", () => r()));
    }
  }
  out.end();
  await done;
}

// String(-0) is "0"; keep the sign so a CSV round trip is exact.
function num(v: number): string {
  return Object.is(v, -0) ? "-0" : String(v);
}
