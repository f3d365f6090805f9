import type { Data, RecordBatch } from "apache-arrow";
import { RecordBatchBuilder } from "./recordBatchBuilder.js";
import type { SampleChunk } from "./sampleChunk.js";

/**
 * The column layout of prepared part files and spill runs: `task` Int64, `role` Uint8
 * (0 support, 1 query), `label` Float32, `dense` FixedSizeList<Float32, D> (absent when D = 0),
 * one List<Int64> column `slot:<name>` per sparse slot, `ts` Float64, and in spill runs `seq`
 * Float64 (the input row number, which keeps the sort stable).
 */
export interface PartColumns {
  chunk: SampleChunk;
  role: Uint8Array | null;
  seq: Float64Array | null;
}

/** Column name of a sparse slot inside part files. */
export const slotColumn = (name: string): string => `slot:${name}`;

/** Encodes samples (and optional roles / sequence numbers) as one record batch. */
export function encodePartBatch(chunk: SampleChunk, slotNames: string[], denseDim: number, role?: Uint8Array, seq?: Float64Array): RecordBatch {
  const b = new RecordBatchBuilder(chunk.n);
  b.int64("task", chunk.task);
  if (role) b.uint8("role", role);
  b.float32("label", chunk.label);
  if (denseDim > 0) b.float32Vectors("dense", denseDim, chunk.dense, "v");
  slotNames.forEach((name, s) => {
    const { ids, offsets } = chunk.sparse[s]!;
    b.int64Lists(slotColumn(name), ids, offsets, "id");
  });
  if (chunk.timestamp) b.float64("ts", chunk.timestamp);
  if (seq) b.float64("seq", seq);
  return b.build();
}

/** Views the columns of a part batch as typed arrays without copying (offsets are rebased only when sliced). */
export function decodePartBatch(batch: RecordBatch, slotNames: string[], denseDim: number): PartColumns {
  const n = batch.numRows;
  const col = (name: string): Data | null => {
    const k = batch.schema.fields.findIndex((f) => f.name === name);
    return k < 0 ? null : batch.data.children[k]!;
  };
  const need = (name: string): Data => {
    const d = col(name);
    if (!d) throw new Error(`part batch: missing column "${name}"`);
    return d;
  };
  const view = <T extends ArrayBufferView & { subarray(a: number, b: number): T }>(d: Data, width = 1): T =>
    (d.values as T).subarray(d.offset * width, (d.offset + d.length) * width);
  const task = view<BigInt64Array>(need("task"));
  const roleD = col("role");
  const label = view<Float32Array>(need("label"));
  let dense: Float32Array = new Float32Array(0);
  const width = col("dense") ? (col("dense")!.type as { listSize?: number }).listSize ?? -1 : 0;
  if (width !== denseDim) throw new Error(`expected ${denseDim} dense values per row as the manifest says, got ${width}`);
  if (denseDim > 0) {
    const d = need("dense");
    const c = d.children[0]!;
    dense = (c.values as Float32Array).subarray((c.offset + d.offset * denseDim), (c.offset + (d.offset + n) * denseDim));
  }
  const sparse = slotNames.map((name) => {
    const d = need(slotColumn(name));
    const vo = (d.valueOffsets as Int32Array).subarray(d.offset, d.offset + n + 1);
    const c = d.children[0]!;
    const ids = (c.values as BigInt64Array).subarray(c.offset + vo[0]!, c.offset + vo[n]!);
    if (vo[0] === 0) return { ids, offsets: vo };
    const base = vo[0]!;
    return { ids, offsets: vo.map((x) => x - base) };
  });
  const tsD = col("ts");
  const seqD = col("seq");
  return {
    chunk: { n, task, label, dense, sparse, timestamp: tsD ? view<Float64Array>(tsD) : null },
    role: roleD ? view<Uint8Array>(roleD) : null,
    seq: seqD ? view<Float64Array>(seqD) : null,
  };
}
