import {
  Field,
  Float32,
  Float64,
  Int64,
  List,
  RecordBatch,
  Schema,
  Struct,
  makeData,
  type Data,
} from "apache-arrow";
import type { RawSchema } from "./rawSchema.js";
import type { SampleChunk } from "./sampleChunk.js";

/** Converts a chunk of samples into one Arrow record batch laid out by `schema` (one column per dense feature). */
export function chunkToRecordBatch(schema: RawSchema, chunk: SampleChunk): RecordBatch {
  const n = chunk.n;
  const D = schema.dense.length;
  const fields: Field[] = [];
  const children: Data[] = [];
  const add = (name: string, data: Data): void => {
    fields.push(new Field(name, data.type, false));
    children.push(data);
  };
  add(schema.taskKey, makeData({ type: new Int64(), length: n, data: chunk.task }));
  add(schema.label, makeData({ type: new Float32(), length: n, data: chunk.label }));
  for (let j = 0; j < D; j++) {
    const col = new Float32Array(n);
    for (let i = 0; i < n; i++) col[i] = chunk.dense[i * D + j]!;
    add(schema.dense[j]!, makeData({ type: new Float32(), length: n, data: col }));
  }
  schema.sparse.forEach((slot, s) => {
    const { ids, offsets } = chunk.sparse[s]!;
    if (slot.list) {
      const child = makeData({ type: new Int64(), length: ids.length, data: ids });
      const type = new List(new Field("item", new Int64(), false));
      add(slot.name, makeData({ type, length: n, valueOffsets: offsets, child }));
    } else {
      add(slot.name, makeData({ type: new Int64(), length: n, data: ids.subarray(0, n) }));
    }
  });
  if (schema.timestamp) {
    add(schema.timestamp, makeData({ type: new Float64(), length: n, data: chunk.timestamp ?? new Float64Array(n) }));
  }
  for (const [name, values] of Object.entries(chunk.extra ?? {})) {
    add(name, makeData({ type: new Float64(), length: n, data: values }));
  }
  const arrowSchema = new Schema(fields);
  return new RecordBatch(arrowSchema, makeData({ type: new Struct(fields), length: n, children }));
}
