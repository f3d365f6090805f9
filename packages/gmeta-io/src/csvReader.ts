import { createReadStream, promises as fsp } from "node:fs";
import { DataError } from "./dataError.js";
import type { RawSchema } from "./rawSchema.js";
import { SampleChunk, SampleChunkBuilder } from "./sampleChunk.js";
import { parseFloat32Field, parseIdField, parseLabelField, parseTaskField } from "./fieldParsers.js";

/**
 * Streams a comma-separated file with a header row; list ids are separated by `|` inside a
 * field. Quoted fields are not supported (numeric data has no need of them).
 */
export async function* readCsv(file: string, schema: RawSchema, chunkRows = 65536, unlabelled = false): AsyncGenerator<SampleChunk> {
  const stat = await fsp.stat(file);
  if (stat.size === 0) throw new DataError({ file, row: "header" }, "empty file (expected a header row)");
  const D = schema.dense.length;
  const b = new SampleChunkBuilder(D, schema.sparse.length, !!schema.timestamp, chunkRows);
  let idx: { task: number; label: number; dense: number[]; sparse: number[]; ts: number } | null = null;
  let ncol = 0;
  let row = 0;
  let rest = "";
  const handle = (line: string): void => {
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (idx === null) {
      const names = line.split(",").map((s) => s.trim());
      ncol = names.length;
      const at = (name: string): number => {
        const k = names.indexOf(name);
        if (k < 0) {
          throw new DataError({ file, row: "header", column: name }, `missing column (the header has: ${names.join(", ")})`);
        }
        return k;
      };
      idx = {
        task: at(schema.taskKey),
        label: at(schema.label),
        dense: schema.dense.map(at),
        sparse: schema.sparse.map((s) => at(s.name)),
        ts: schema.timestamp ? at(schema.timestamp) : -1,
      };
      return;
    }
    if (line.length === 0) return;
    row++;
    const f = line.split(",");
    if (f.length !== ncol) {
      throw new DataError({ file, row }, `expected ${ncol} fields as in the header, got ${f.length}`);
    }
    const ts = idx.ts >= 0 ? parseFloat32Field(f[idx.ts]!, file, row, schema.timestamp!, false) : 0;
    b.begin(parseTaskField(f[idx.task]!, file, row, schema.taskKey), unlabelled && /^\s*(NaN)?\s*$/.test(f[idx.label]!) ? NaN : parseLabelField(f[idx.label]!, file, row, schema.label), ts);
    for (let j = 0; j < D; j++) b.setDense(j, parseFloat32Field(f[idx.dense[j]!]!, file, row, schema.dense[j]!, true));
    for (let s = 0; s < idx.sparse.length; s++) {
      const slot = schema.sparse[s]!;
      const field = f[idx.sparse[s]!]!;
      if (slot.list) {
        if (field.length > 0) for (const part of field.split("|")) b.pushId(s, parseIdField(part, file, row, slot.name, slot.hashBuckets !== undefined));
      } else {
        b.pushId(s, parseIdField(field, file, row, slot.name, slot.hashBuckets !== undefined));
      }
    }
    b.end();
  };
  const stream = createReadStream(file, { encoding: "utf8", highWaterMark: 1 << 20 });
  for await (const piece of stream as AsyncIterable<string>) {
    const text = rest + piece;
    let start = 0;
    let nl: number;
    while ((nl = text.indexOf("\n", start)) >= 0) {
      handle(text.slice(start, nl));
      start = nl + 1;
      if (b.n >= chunkRows) {
        yield b.build();
        b.reset();
      }
    }
    rest = text.slice(start);
  }
  if (rest.length > 0) handle(rest);
  if (idx === null) throw new DataError({ file, row: "header" }, "empty file (expected a header row)");
  if (row === 0) throw new DataError({ file, row: 1 }, "no data rows after the header");
  if (b.n > 0) yield b.build();
}
