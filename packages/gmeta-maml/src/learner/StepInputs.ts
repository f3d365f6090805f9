import { concat, noGrad, tensor, tidy, zeros } from "@gmeta/tensor";
import type { Device, HostInput, Tensor } from "@gmeta/tensor";
import type { PreparedBatch, SlotUse } from "../data/PreparedBatch.js";
import type { TaskBlock } from "../data/TaskBlock.js";

/** One block (support or query) as tensors on the learner's device. */
export interface BlockTensors {
  tasks: number;
  width: number;
  /** [T, W, denseDim]. */
  dense: Tensor;
  /** [T, W]. */
  labels: Tensor;
  /** [T, W]: 1 for a real sample, 0 for padding. */
  mask: Tensor;
  /** [T]: real samples per task, at least 1 (the divisor of each task's mean). */
  divisors: Tensor;
  /** [T]: real samples per task (the baseline's per-task weights). */
  counts: Tensor;
  /** []: 1 / the block's real samples (at least 1). */
  invSamples: Tensor;
}

/** A slot's (task, row) pair of every id occurrence and its bag offsets, as int32 tensors. */
export interface SlotTensors {
  tableIndex: number;
  /** [L]: pair of each id occurrence (padding occurrences point at pair 0, outside every bag). */
  pair: Tensor;
  /** [T·W + 1]: bag offsets of the padded rows. */
  offsets: Tensor;
}

/**
 * Everything the learner step reads of a batch, already tensors: the step is then a
 * function of tensors alone (dense parameters, E_U, these) with no host reads inside, so it
 * can be captured and replayed.
 */
export interface StepInputs {
  support: BlockTensors;
  query: BlockTensors;
  /** Per table: the unique row each (task, row) pair copies. */
  pairRow: Tensor[];
  supportSlots: SlotTensors[];
  querySlots: SlotTensors[];
  /** []: 1 / (support + query samples), the baseline's normaliser. */
  invAllSamples: Tensor;
}

/** What a batch's structure is, whatever its sizes: it follows from the model. */
export interface StepLayout {
  /** Per slot of the model, the index of its table. */
  slotTables: number[];
  tables: number;
}

export interface StepInputOptions {
  device: Device;
  /** Round widths, id counts and pair counts up to `bucketSize` (for compiled steps). */
  buckets?: boolean;
}

/** The samples of a block that are real (not padding). */
export function realSamples(block: TaskBlock): number {
  let n = 0;
  for (const c of block.counts) n += c;
  return n;
}

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

/**
 * A prepared batch's inputs as host arrays with their shapes, in the order `unflattenStep`
 * reads (what a compiled step copies into its slots; no tensor is made). With `buckets`,
 * every size is rounded up and the padding is masked (samples), outside every bag (id
 * occurrences) or never referenced (pairs), so it changes no loss and no gradient.
 */
export function stepHostInputs(pb: PreparedBatch, o: StepInputOptions): HostInput[] {
  const round = o.buckets ? bucketSize : (n: number) => n;
  const device = o.device;
  const out: HostInput[] = [];
  const push = (data: HostInput["data"], shape: number[]) => out.push({ data, shape, device });
  const widths = [pb.support, pb.query].map((b) => Math.max(round(b.width), b.width));
  [pb.support, pb.query].forEach((b, k) => {
    const T = b.tasks;
    const W = widths[k]!;
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
    push(Float32Array.from(b.counts), [T]);
    push(new Float32Array([1 / Math.max(1, realSamples(b))]), []);
  });
  const slots = (b: TaskBlock, W: number, uses: SlotUse[]) => {
    for (const s of uses) {
      const offsets = new Int32Array(b.tasks * W + 1);
      for (let t = 0; t < b.tasks; t++) {
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
  slots(pb.support, widths[0]!, pb.supportSlots);
  slots(pb.query, widths[1]!, pb.querySlots);
  for (const t of pb.tables) {
    const p = new Int32Array(round(t.pairRow.length));
    p.set(t.pairRow);
    push(p, [p.length]);
  }
  push(new Float32Array([1 / Math.max(1, realSamples(pb.support) + realSamples(pb.query))]), []);
  return out;
}

/** The step's inputs from tensors in `stepHostInputs` order, for a batch of the given layout. */
export function unflattenStep(xs: readonly Tensor[], layout: StepLayout): StepInputs {
  let i = 0;
  const next = () => {
    const t = xs[i++];
    if (!t) throw new Error(`unflattenStep: expected more tensors for the layout, got ${xs.length}`);
    return t;
  };
  const block = (): BlockTensors => {
    const dense = next();
    return {
      tasks: dense.shape[0]!, width: dense.shape[1]!, dense, labels: next(), mask: next(), divisors: next(), counts: next(), invSamples: next(),
    };
  };
  const support = block();
  const query = block();
  const slots = () => layout.slotTables.map((tableIndex) => ({ tableIndex, pair: next(), offsets: next() }));
  const supportSlots = slots();
  const querySlots = slots();
  const pairRow = Array.from({ length: layout.tables }, next);
  const invAllSamples = next();
  if (i !== xs.length) throw new Error(`unflattenStep: expected ${i} tensors for the layout, got ${xs.length}`);
  return { support, query, pairRow, supportSlots, querySlots, invAllSamples };
}

/** A prepared batch's arrays as tensors on `device` (created in the caller's scope). */
export function stepInputs(pb: PreparedBatch, device: Device, buckets = false): StepInputs {
  const host = stepHostInputs(pb, { device, buckets });
  const layout: StepLayout = { slotTables: pb.supportSlots.map((s) => s.tableIndex), tables: pb.tables.length };
  return unflattenStep(host.map((x) => tensor(x.data, { shape: x.shape.slice(), device })), layout);
}

/**
 * `x` with zero rows appended up to `rows` (E_U padded to its bucket; no pair references the
 * new rows), as a leaf that requires grad; x itself when none are missing.
 */
export function padRows(x: Tensor, rows: number): Tensor {
  if (rows === x.shape[0]) return x;
  return tidy(() => noGrad(() => concat([x, zeros([rows - x.shape[0]!, ...x.shape.slice(1)], { device: x.device })], 0))).setRequiresGrad();
}
