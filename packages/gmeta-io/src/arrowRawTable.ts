import type { RecordBatch } from "apache-arrow";
import type { RawSchema } from "./rawSchema.js";
import { RecordBatchBuilder } from "./recordBatchBuilder.js";
import type { SampleChunk } from "./sampleChunk.js";

/** Converts a chunk of samples into one Arrow record batch laid out by `schema` (one column per dense feature). */
export function chunkToRecordBatch(schema: RawSchema, chunk: SampleChunk): RecordBatch {
  const n = chunk.n;
  const D = schema.dense.length;
  const b = new RecordBatchBuilder(n);
  b.int64(schema.taskKey, chunk.task);
  b.float32(schema.label, chunk.label);
  for (let j = 0; j < D; j++) {
    const col = new Float32Array(n);
    for (let i = 0; i < n; i++) col[i] = chunk.dense[i * D + j]!;
    b.float32(schema.dense[j]!, col);
  }
  schema.sparse.forEach((slot, s) => {
    const { ids, offsets } = chunk.sparse[s]!;
    if (slot.list) b.int64Lists(slot.name, ids, offsets, "item");
    else b.int64(slot.name, ids.subarray(0, n));
  });
  if (schema.timestamp) b.float64(schema.timestamp, chunk.timestamp ?? new Float64Array(n));
  for (const [name, values] of Object.entries(chunk.extra ?? {})) b.float64(name, values);
  return b.build();
}
