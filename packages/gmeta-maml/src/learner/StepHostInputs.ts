// The step's inputs as host arrays: plain loops over a prepared batch with no tensor, so the
// same code runs on the trainer's thread or in a loader's worker threads (batch preparation).
import type { Device, HostInput } from "@gmeta/tensor";
import type { PreparedBatch, SlotUse } from "../data/PreparedBatch.js";
import type { TaskBlock } from "../data/TaskBlock.js";

export interface StepInputOptions {
  device: Device;
  /** Round widths, id counts and pair counts up to `bucketSize` (for compiled steps). */
  buckets?: boolean;
}

/** The samples of a block that are real (not padding). */
export function realSamples(block: Pick<TaskBlock, "counts">): number {
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
