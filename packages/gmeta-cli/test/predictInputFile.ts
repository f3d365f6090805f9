import type { MetaBatch, SampleBlock, SampleChunk } from "@gmeta/io";
import { openMetaDataset, writeRawFile } from "@gmeta/io";

/**
 * Writes a prepared dataset's tasks back as raw rows for `gmeta predict`: each task's support
 * rows with their labels, then its query rows without (NaN), so predict adapts on what eval
 * adapts on and scores what eval scores. Returns the query labels in row order.
 */
export async function writePredictInput(dir: string, file: string): Promise<{ labels: Float32Array; taskSizes: number[] }> {
  const ds = await openMetaDataset(dir);
  const loader = ds.loader({ rank: 0, worldSize: 1, tasksPerBatch: ds.index.task.length, shuffle: false, remainder: "pad" });
  const chunks: SampleChunk[] = [];
  const labels: number[] = [];
  const taskSizes: number[] = [];
  const S = ds.manifest.slots.length;
  const D = ds.manifest.denseDim;
  for await (const b of loader as AsyncIterable<MetaBatch>) {
    for (let t = 0; t < b.tasks - b.padded; t++) {
      const rows: { blk: SampleBlock; i: number; label: number }[] = [];
      for (let i = b.support.taskOffsets[t]!; i < b.support.taskOffsets[t + 1]!; i++) rows.push({ blk: b.support, i, label: b.support.labels[i]! });
      for (let i = b.query.taskOffsets[t]!; i < b.query.taskOffsets[t + 1]!; i++) {
        rows.push({ blk: b.query, i, label: NaN });
        labels.push(b.query.labels[i]!);
      }
      taskSizes.push(b.query.taskOffsets[t + 1]! - b.query.taskOffsets[t]!);
      const n = rows.length;
      const sparse = Array.from({ length: S }, (_, s) => {
        const offsets = new Int32Array(n + 1);
        const ids: bigint[] = [];
        rows.forEach((r, k) => {
          const { ids: src, offsets: o } = r.blk.slots[s]!;
          for (let j = o[r.i]!; j < o[r.i + 1]!; j++) ids.push(src[j]!);
          offsets[k + 1] = ids.length;
        });
        return { ids: BigInt64Array.from(ids), offsets };
      });
      chunks.push({
        n,
        task: new BigInt64Array(n).fill(b.taskKeys[t]!),
        label: Float32Array.from(rows, (r) => r.label),
        dense: Float32Array.from({ length: n * D }, (_, k) => rows[Math.floor(k / D)]!.blk.dense[rows[Math.floor(k / D)]!.i * D + (k % D)]!),
        sparse,
        timestamp: new Float64Array(n),
      });
    }
  }
  await writeRawFile(file, ds.manifest.schema, chunks);
  return { labels: Float32Array.from(labels), taskSizes };
}
