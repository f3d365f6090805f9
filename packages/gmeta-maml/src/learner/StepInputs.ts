import { tensor } from "@gmeta/tensor";
import type { Device, Tensor } from "@gmeta/tensor";
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
  pair: Tensor;
  offsets: Tensor;
}

/**
 * Everything the learner step reads of a batch, already tensors: the step is then a
 * function of tensors alone (dense parameters, E_U, these) with no host reads inside.
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

/** The samples of a block that are real (not padding). */
export function realSamples(block: TaskBlock): number {
  let n = 0;
  for (const c of block.counts) n += c;
  return n;
}

function blockTensors(b: TaskBlock, device: Device): BlockTensors {
  const shape = [b.tasks, b.width];
  return {
    tasks: b.tasks,
    width: b.width,
    dense: tensor(b.dense, { shape: [b.tasks, b.width, b.denseDim], device }),
    labels: tensor(b.labels, { shape, device }),
    mask: tensor(b.mask, { shape, device }),
    divisors: tensor(Float32Array.from(b.counts, (c) => Math.max(1, c)), { shape: [b.tasks], device }),
    counts: tensor(Float32Array.from(b.counts), { shape: [b.tasks], device }),
    invSamples: tensor(new Float32Array([1 / Math.max(1, realSamples(b))]), { shape: [], device }),
  };
}

function slotTensors(s: SlotUse, device: Device): SlotTensors {
  return { tableIndex: s.tableIndex, pair: tensor(s.pair, { dtype: "int32", device }), offsets: tensor(s.offsets, { dtype: "int32", device }) };
}

/** A prepared batch's arrays as tensors on `device` (created in the caller's scope). */
export function stepInputs(pb: PreparedBatch, device: Device): StepInputs {
  const all = realSamples(pb.support) + realSamples(pb.query);
  return {
    support: blockTensors(pb.support, device),
    query: blockTensors(pb.query, device),
    pairRow: pb.tables.map((t) => tensor(t.pairRow, { dtype: "int32", device })),
    supportSlots: pb.supportSlots.map((s) => slotTensors(s, device)),
    querySlots: pb.querySlots.map((s) => slotTensors(s, device)),
    invAllSamples: tensor(new Float32Array([1 / Math.max(1, all)]), { shape: [], device }),
  };
}
