import type { MetaBatch, RawSchema, SampleBlock, SampleChunk } from "@gmeta/io";
import { DataError, readRaw } from "@gmeta/io";
import { concatTypedArrays } from "@gmeta/tensor";

/** A row of the input: its chunk, its index there, and its 1-based row in the file. */
interface RowRef {
  chunk: number;
  i: number;
  row: number;
}

/** One task key of the input: its labelled rows (the support set) and its unlabelled ones (the candidates). */
export interface PredictTask {
  key: bigint;
  support: RowRef[];
  candidates: RowRef[];
}

export interface PredictInput {
  file: string;
  chunks: SampleChunk[];
  /** Tasks that have candidates, in the order of their first row in the file. */
  tasks: PredictTask[];
  rows: number;
  candidates: number;
}

/** What a table accepts: ids below `rows`, or any id when it hashes them. */
export interface TableLimit {
  name: string;
  rows: number;
  hash: boolean;
}

/**
 * Reads the rows to score, grouped by task key: rows with a label adapt, rows without one
 * (an empty field, null or NaN) are scored. Ids are checked against the run's tables here, so
 * an unknown id is named by file, row and column instead of failing inside a lookup.
 */
export async function readPredictInput(file: string, schema: RawSchema, tables: TableLimit[]): Promise<PredictInput> {
  const chunks: SampleChunk[] = [];
  const byKey = new Map<bigint, PredictTask>();
  let rows = 0;
  let candidates = 0;
  for await (const c of readRaw(file, schema, { unlabelled: true })) {
    const k = chunks.length;
    chunks.push(c);
    schema.sparse.forEach((slot, s) => {
      const t = tables[s]!;
      if (t.hash) return;
      const { ids, offsets } = c.sparse[s]!;
      for (let i = 0; i < c.n; i++) {
        for (let j = offsets[i]!; j < offsets[i + 1]!; j++) {
          if (ids[j]! >= BigInt(t.rows)) {
            throw new DataError({ file, row: rows + i + 1, column: slot.name }, `expected an id below ${t.rows} (the rows of table "${t.name}" in the run), got ${ids[j]}`);
          }
        }
      }
    });
    for (let i = 0; i < c.n; i++) {
      const key = c.task[i]!;
      let t = byKey.get(key);
      if (!t) byKey.set(key, (t = { key, support: [], candidates: [] }));
      const ref = { chunk: k, i, row: rows + i + 1 };
      if (Number.isNaN(c.label[i]!)) {
        t.candidates.push(ref);
        candidates++;
      } else t.support.push(ref);
    }
    rows += c.n;
  }
  if (candidates === 0) throw new DataError({ file, column: schema.label }, "no row without a label: nothing to score (leave the label of the candidates empty)");
  return { file, chunks, tasks: [...byKey.values()].filter((t) => t.candidates.length > 0), rows, candidates };
}

function block(input: PredictInput, groups: RowRef[][], denseDim: number, slots: number, labelled: boolean): SampleBlock {
  const refs = groups.flat();
  const n = refs.length;
  const taskOffsets = new Int32Array(groups.length + 1);
  groups.forEach((g, t) => (taskOffsets[t + 1] = taskOffsets[t]! + g.length));
  const labels = new Float32Array(n);
  const dense = new Float32Array(n * denseDim);
  refs.forEach((r, k) => {
    const c = input.chunks[r.chunk]!;
    if (labelled) labels[k] = c.label[r.i]!;
    dense.set(c.dense.subarray(r.i * denseDim, (r.i + 1) * denseDim), k * denseDim);
  });
  const slotIds = Array.from({ length: slots }, (_, s) => {
    const offsets = new Int32Array(n + 1);
    const parts: BigInt64Array[] = [];
    refs.forEach((r, k) => {
      const { ids, offsets: o } = input.chunks[r.chunk]!.sparse[s]!;
      const part = ids.subarray(o[r.i]!, o[r.i + 1]!);
      parts.push(part);
      offsets[k + 1] = offsets[k]! + part.length;
    });
    return { ids: concatTypedArrays(parts, BigInt64Array), offsets };
  });
  return { size: n, labels, dense, slots: slotIds, taskOffsets };
}

/** A meta-batch of tasks: support = labelled rows, query = candidates; the last `padded` tasks are fillers. */
export function predictBatch(input: PredictInput, tasks: PredictTask[], padded: number, index: number, rank: number, denseDim: number, slots: number): MetaBatch {
  return {
    epoch: 0, index, rank, tasks: tasks.length, padded,
    taskKeys: BigInt64Array.from(tasks, (t) => t.key),
    support: block(input, tasks.map((t) => t.support), denseDim, slots, true),
    query: block(input, tasks.map((t) => t.candidates), denseDim, slots, false),
  };
}
