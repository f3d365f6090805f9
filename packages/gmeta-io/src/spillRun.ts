import { createReadStream, writeFileSync } from "node:fs";
import { RecordBatchReader, RecordBatchStreamWriter, type RecordBatch } from "apache-arrow";
import { decodePartBatch, encodePartBatch, type PartColumns } from "./partLayout.js";
import type { SampleChunk } from "./sampleChunk.js";

const RUN_BATCH = 16384;

/** Writes sorted samples with their input sequence numbers as an Arrow IPC stream of small batches. */
export function writeRun(file: string, sorted: SampleChunk, seq: Float64Array, slotNames: string[], denseDim: number): void {
  const writer = new RecordBatchStreamWriter();
  for (let start = 0; start < sorted.n; start += RUN_BATCH) {
    const end = Math.min(sorted.n, start + RUN_BATCH);
    writer.write(encodePartBatch(sliceChunk(sorted, start, end), slotNames, denseDim, undefined, seq.subarray(start, end)));
  }
  writer.finish();
  writeFileSync(file, writer.toUint8Array(true));
}

/** Reads a run back one batch at a time. */
export async function* readRun(file: string, slotNames: string[], denseDim: number): AsyncGenerator<PartColumns> {
  const reader = await RecordBatchReader.from(createReadStream(file));
  for await (const batch of reader as AsyncIterable<RecordBatch>) {
    if (batch.numRows > 0) yield decodePartBatch(batch, slotNames, denseDim);
  }
}

/** Rows [start, end) of a chunk as views (ids and offsets rebased). */
export function sliceChunk(c: SampleChunk, start: number, end: number): SampleChunk {
  const D = c.dense.length / Math.max(1, c.n);
  return {
    n: end - start,
    task: c.task.subarray(start, end),
    label: c.label.subarray(start, end),
    dense: c.dense.subarray(start * D, end * D),
    sparse: c.sparse.map(({ ids, offsets }) => {
      const base = offsets[start]!;
      return { ids: ids.subarray(base, offsets[end]!), offsets: offsets.slice(start, end + 1).map((x) => x - base) };
    }),
    timestamp: c.timestamp ? c.timestamp.subarray(start, end) : null,
  };
}
