import type { Tensor } from "@gmeta/tensor";
import type { Device, HostInput } from "@gmeta/tensor";
import { concat, noGrad, tensor, tidy, zeros } from "@gmeta/tensor";
import type { PreparedBatch } from "./PreparedBatch.js";
import type { TaskBlock } from "./TaskBlock.js";

/**
 * The next size of the form 2^k or 3·2^(k−1) at or above n: at most a third is padding and
 * a run meets few distinct shapes, so compiled programs are captured a few times and then
 * replayed.
 */
export function bucketSize(n: number): number {
  if (n <= 2) return n;
  let p = 2;
  while (p * 2 < n) p *= 2;
  return n <= p + p / 2 ? p + p / 2 : 2 * p;
}

/** One slot of one block: the pair of every id occurrence and the bag offsets per padded row. */
export interface SlotTensors {
  /** [L] int32 pair index per id occurrence (padding occurrences point at pair 0, outside every bag). */
  pair: Tensor;
  /** [T·W + 1] int32 bag offsets of the padded rows. */
  offsets: Tensor;
  tableIndex: number;
}

/** A support or query block as tensors, padded to [T, W]. */
export interface BlockTensors {
  tasks: number;
  width: number;
  /** [T, W, denseDim]. */
  dense: Tensor;
  /** [T, W]. */
  labels: Tensor;
  /** [T, W]: 1 for a real sample, 0 for padding. */
  mask: Tensor;
  /** [T]: max(1, samples of the task), the divisor of its mean loss. */
  counts: Tensor;
  slots: SlotTensors[];
}

/** Everything a meta-step reads from its batch, as tensors; the only batch data a step sees. */
export interface BatchTensors {
  support: BlockTensors;
  query: BlockTensors;
  /** Per table: [P] int32, the unique row each (task, id) pair copies. */
  pairRow: Tensor[];
}

/** What a batch's structure is, independent of its sizes: it follows from the model. */
export interface BatchLayout {
  /** Per slot of the model, the index of its table. */
  slotTables: number[];
  tables: number;
}

export interface BatchTensorOptions {
  device: string;
  /** Round widths, id counts and pair counts up to `bucketSize` (for compiled steps). */
  buckets: boolean;
}

/** The batch's inputs as host arrays with shapes, in `flattenBatch` order (no tensors made). */
export function batchInputs(pb: PreparedBatch, o: BatchTensorOptions): HostInput[] {
  const round = o.buckets ? bucketSize : (n: number) => n;
  const device = o.device as Device;
  const out: HostInput[] = [];
  const push = (data: HostInput["data"], shape: number[]) => out.push({ data, shape, device });
  const block = (b: TaskBlock, slots: PreparedBatch["supportSlots"]) => {
    const T = b.tasks;
    const W = Math.max(round(b.width), b.width);
    const D = b.denseDim;
    const mask = new Float32Array(T * W);
    const labels = new Float32Array(T * W);
    const dense = new Float32Array(T * W * D);
    for (let t = 0; t < T; t++) {
      mask.set(b.mask.subarray(t * b.width, (t + 1) * b.width), t * W);
      labels.set(b.labels.subarray(t * b.width, (t + 1) * b.width), t * W);
      dense.set(b.dense.subarray(t * b.width * D, (t + 1) * b.width * D), t * W * D);
    }
    push(dense, [T, W, D]);
    push(labels, [T, W]);
    push(mask, [T, W]);
    push(Float32Array.from(b.counts, (c) => Math.max(1, c)), [T]);
    for (const s of slots) {
      const offsets = new Int32Array(T * W + 1);
      for (let t = 0; t < T; t++) {
        for (let j = 0; j < W; j++) {
          const r = t * W + j;
          offsets[r + 1] = j < b.width ? s.offsets[t * b.width + j + 1]! : offsets[r]!;
        }
      }
      const pair = new Int32Array(round(s.pair.length));
      pair.set(s.pair);
      push(pair, [pair.length]);
      push(offsets, [offsets.length]);
    }
  };
  block(pb.support, pb.supportSlots);
  block(pb.query, pb.querySlots);
  for (const t of pb.tables) {
    const p = new Int32Array(round(t.pairRow.length));
    p.set(t.pairRow);
    push(p, [p.length]);
  }
  return out;
}

/**
 * The batch's tensors. With `buckets`, every size is rounded up and the padding is masked
 * (samples), outside every bag (id occurrences) or never referenced (pairs, unique rows), so
 * it changes no loss and no gradient.
 */
export function batchTensors(pb: PreparedBatch, o: BatchTensorOptions, layout: BatchLayout): BatchTensors {
  const ts = batchInputs(pb, o).map((x) => tensor(x.data, { shape: x.shape.slice(), device: x.device }));
  return unflattenBatch(ts, layout);
}

/** The batch's tensors in a fixed order (the inputs of a compiled step). */
export function flattenBatch(b: BatchTensors): Tensor[] {
  const blk = (x: BlockTensors) => [x.dense, x.labels, x.mask, x.counts, ...x.slots.flatMap((s) => [s.pair, s.offsets])];
  return [...blk(b.support), ...blk(b.query), ...b.pairRow];
}

/** The inverse of `flattenBatch` for a batch of the given layout. */
export function unflattenBatch(xs: readonly Tensor[], layout: BatchLayout): BatchTensors {
  let i = 0;
  const next = () => {
    const t = xs[i++];
    if (!t) throw new Error(`unflattenBatch: expected more tensors for the layout, got ${xs.length}`);
    return t;
  };
  const blk = (): BlockTensors => {
    const dense = next();
    return {
      tasks: dense.shape[0]!,
      width: dense.shape[1]!,
      dense,
      labels: next(),
      mask: next(),
      counts: next(),
      slots: layout.slotTables.map((tableIndex) => ({ pair: next(), offsets: next(), tableIndex })),
    };
  };
  const support = blk();
  const query = blk();
  const pairRow = Array.from({ length: layout.tables }, next);
  if (i !== xs.length) throw new Error(`unflattenBatch: expected ${i} tensors for the layout, got ${xs.length}`);
  return { support, query, pairRow };
}

/** Frees the batch's tensors. */
export function disposeBatch(b: BatchTensors): void {
  for (const t of flattenBatch(b)) t.dispose();
}

/**
 * `x` with zero rows appended up to `rows` (E_U padded to its bucket; no pair references the
 * new rows), as a leaf that requires grad; x itself when none are missing.
 */
export function padRows(x: Tensor, rows: number): Tensor {
  if (rows === x.shape[0]) return x;
  return tidy(() => noGrad(() => concat([x, zeros([rows - x.shape[0]!, ...x.shape.slice(1)], { device: x.device })], 0))).setRequiresGrad();
}
