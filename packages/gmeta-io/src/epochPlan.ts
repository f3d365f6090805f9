import { Rng } from "./rng.js";

/** Where an epoch's tasks start in the task index: tasks of part p are partStart[p] .. partStart[p+1]. */
export interface EpochPlanInput {
  partStart: Int32Array;
  shuffle: boolean;
  seed: number;
  epoch: number;
}

/**
 * The epoch's global task order: parts in a seeded random order, tasks inside each part
 * shuffled too, so a batch mostly reads one part while every epoch differs. Pure.
 */
export function epochOrder({ partStart, shuffle, seed, epoch }: EpochPlanInput): Int32Array {
  const parts = partStart.length - 1;
  const total = partStart[parts]!;
  const order = new Int32Array(total);
  const partOrder = Int32Array.from({ length: parts }, (_, p) => p);
  if (shuffle) new Rng(seed, 2 * epoch + 1).shuffle(partOrder);
  let at = 0;
  for (const p of partOrder) {
    const start = at;
    for (let t = partStart[p]!; t < partStart[p + 1]!; t++) order[at++] = t;
    if (shuffle) new Rng(seed ^ Math.imul(p + 1, 0x27d4eb2d), 2 * epoch + 2).shuffle(order.subarray(start, at));
  }
  return order;
}

/** Batches per epoch for every rank: whole global steps (drop) or steps padded from the epoch start (pad). */
export function batchesPerEpoch(tasks: number, tasksPerBatch: number, worldSize: number, remainder: "drop" | "pad"): number {
  const step = tasksPerBatch * worldSize;
  return remainder === "drop" ? Math.floor(tasks / step) : Math.ceil(tasks / step);
}

/**
 * The task-order positions of batch `b` for `rank`: global step b covers positions
 * b·T·W .. (b+1)·T·W and rank r takes its r-th slice of T. Positions past the end wrap
 * around (padding); `padded` counts them.
 */
export function batchPositions(b: number, rank: number, tasksPerBatch: number, worldSize: number, total: number): { positions: number[]; padded: number } {
  const positions: number[] = [];
  let padded = 0;
  const start = (b * worldSize + rank) * tasksPerBatch;
  for (let j = 0; j < tasksPerBatch; j++) {
    const p = start + j;
    if (p >= total) padded++;
    positions.push(p % total);
  }
  return { positions, padded };
}
