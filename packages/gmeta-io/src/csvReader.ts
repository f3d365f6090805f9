import { createReadStream, promises as fsp } from "node:fs";
import { CsvError, parse } from "csv-parse";
import { DataError } from "./dataError.js";
import type { RawSchema } from "./rawSchema.js";
import { SampleChunk, SampleChunkBuilder } from "./sampleChunk.js";
import { defaultChecks } from "./readChecks.js";
import { checkIdRange } from "./checkIdRange.js";
import { parseFloat32Field, parseIdField, parseLabelField, parseTaskField } from "./fieldParsers.js";

/**
 * Streams a comma-separated file with a header row (RFC 4180, parsed by csv-parse): quoted
 * fields with embedded commas, quotes ("") and newlines, a UTF-8 byte-order mark, LF or CRLF
 * line ends, blank lines skipped. List ids are separated by `|` inside a field. Rows are
 * counted as records, so a quoted newline does not shift the row that errors name. A row with
 * NaN, an infinity or a value beyond float32 fails the read or, under the skip policy of
 * `checks.bad`, is dropped and counted.
 */
export async function* readCsv(file: string, schema: RawSchema, chunkRows = 65536, checks = defaultChecks()): AsyncGenerator<SampleChunk> {
  const { bad, unlabelled } = checks;
  const stat = await fsp.stat(file);
  if (stat.size === 0) throw new DataError({ file, row: "header" }, "empty file (expected a header row)");
  const D = schema.dense.length;
  const b = new SampleChunkBuilder(D, schema.sparse.length, !!schema.timestamp, chunkRows);
  let idx: { task: number; label: number; dense: number[]; sparse: number[]; ts: number } | null = null;
  let ncol = 0;
  let row = 0;
  // File rows of the chunk being built (skipped rows leave gaps), for the id range check.
  let chunkRowsOf: number[] = [];
  const header = (names: string[]): void => {
    names = names.map((s) => s.trim());
    ncol = names.length;
    const at = (name: string): number => {
      const k = names.indexOf(name);
      if (k < 0) throw new DataError({ file, row: "header", column: name }, `missing column (the header has: ${names.join(", ")})`);
      return k;
    };
    idx = {
      task: at(schema.taskKey),
      label: at(schema.label),
      dense: schema.dense.map(at),
      sparse: schema.sparse.map((s) => at(s.name)),
      ts: schema.timestamp ? at(schema.timestamp) : -1,
    };
  };
  const record = (f: string[]): void => {
    row++;
    if (f.length !== ncol) throw new DataError({ file, row }, `expected ${ncol} fields as in the header, got ${f.length}`);
    try {
      parseRow(f, idx!);
      chunkRowsOf.push(row);
    } catch (e) {
      b.abort();
      bad.absorb(e);
    }
  };
  const parseRow = (f: string[], ix: NonNullable<typeof idx>): void => {
    const ts = ix.ts >= 0 ? parseFloat32Field(f[ix.ts]!, file, row, schema.timestamp!) : 0;
    const lab = f[ix.label]!;
    const label = unlabelled && /^\s*(NaN|nan)?\s*$/.test(lab) ? NaN : parseLabelField(lab, file, row, schema.label);
    b.begin(parseTaskField(f[ix.task]!, file, row, schema.taskKey), label, ts);
    for (let j = 0; j < D; j++) b.setDense(j, parseFloat32Field(f[ix.dense[j]!]!, file, row, schema.dense[j]!));
    for (let s = 0; s < ix.sparse.length; s++) {
      const slot = schema.sparse[s]!;
      const field = f[ix.sparse[s]!]!;
      const hashed = slot.hashBuckets !== undefined;
      if (slot.list) {
        if (field.length > 0) for (const part of field.split("|")) b.pushId(s, parseIdField(part, file, row, slot.name, hashed));
      } else {
        b.pushId(s, parseIdField(field, file, row, slot.name, hashed));
      }
    }
    b.end();
  };
  const built = (): SampleChunk => {
    const chunk = b.build();
    const rowsOf = chunkRowsOf;
    if (checks.idRange) checkIdRange(chunk, schema, file, (i) => rowsOf[i]!);
    chunkRowsOf = [];
    return chunk;
  };
  // Field counts are checked here, so the message names the header's count.
  const input = createReadStream(file);
  const parser = input.pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true }));
  // pipe() does not forward a read error; without this the parser would wait for data forever.
  input.on("error", (e) => parser.destroy(e));
  try {
    for await (const fields of parser as AsyncIterable<string[]>) {
      if (idx === null) {
        header(fields);
        continue;
      }
      record(fields);
      if (b.n >= chunkRows) {
        yield built();
        b.reset();
      }
    }
  } catch (e) {
    input.destroy();
    parser.destroy();
    if (e instanceof CsvError) {
      // The parser reads ahead of the records consumed here: its own count places the error
      // (the header is record 1, so the failing data row is that count).
      const records = (e as CsvError & { records?: number }).records ?? row + 1;
      throw new DataError({ file, row: records < 1 ? "header" : records }, `malformed CSV (${e.message})`);
    }
    throw e;
  }
  if (idx === null) throw new DataError({ file, row: "header" }, "empty file (expected a header row)");
  if (row === 0) throw new DataError({ file, row: 1 }, "no data rows after the header");
  if (b.n > 0) yield built();
}
