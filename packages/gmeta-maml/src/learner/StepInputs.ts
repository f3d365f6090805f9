import { tensor } from "@gmeta/tensor";
import type { Device, Tensor } from "@gmeta/tensor";
import type { PreparedBatch } from "../data/PreparedBatch.js";
import { stepHostInputs } from "./StepHostInputs.js";

export { bucketSize, realSamples, stepHostInputs } from "./StepHostInputs.js";
export type { StepInputOptions } from "./StepHostInputs.js";

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
