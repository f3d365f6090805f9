import type { SampleBlock } from "./metaBatch.js";
import type { PartColumns } from "./partLayout.js";

/** Where a task lives: its part, first row, and support / query sizes (rows are support then query). */
export interface TaskRef {
  part: number;
  row: number;
  support: number;
  query: number;
}

/**
 * Copies the tasks' rows out of decoded parts into fresh contiguous support and query blocks
 * (block copies: a task's rows are adjacent in its part).
 */
export function gatherTasks(
  getPart: (part: number) => PartColumns,
  tasks: TaskRef[],
  denseDim: number,
  slotCount: number,
): { support: SampleBlock; query: SampleBlock } {
  const make = (role: "support" | "query"): SampleBlock => {
    const first = (t: TaskRef): number => (role === "support" ? t.row : t.row + t.support);
    const count = (t: TaskRef): number => (role === "support" ? t.support : t.query);
    const size = tasks.reduce((s, t) => s + count(t), 0);
    const idCount = new Array<number>(slotCount).fill(0);
    const parts = tasks.map((t) => getPart(t.part));
    tasks.forEach((t, k) => {
      const c = parts[k]!.chunk;
      for (let s = 0; s < slotCount; s++) {
        const o = c.sparse[s]!.offsets;
        idCount[s]! += o[first(t) + count(t)]! - o[first(t)]!;
      }
    });
    const labels = new Float32Array(size);
    const dense = new Float32Array(size * denseDim);
    const slots = idCount.map((n) => ({ ids: new BigInt64Array(n), offsets: new Int32Array(size + 1) }));
    const taskOffsets = new Int32Array(tasks.length + 1);
    const idAt = new Array<number>(slotCount).fill(0);
    let at = 0;
    tasks.forEach((t, k) => {
      const c = parts[k]!.chunk;
      const r0 = first(t);
      const n = count(t);
      labels.set(c.label.subarray(r0, r0 + n), at);
      if (denseDim > 0) dense.set(c.dense.subarray(r0 * denseDim, (r0 + n) * denseDim), at * denseDim);
      for (let s = 0; s < slotCount; s++) {
        const src = c.sparse[s]!;
        const dst = slots[s]!;
        const base = src.offsets[r0]!;
        const end = src.offsets[r0 + n]!;
        dst.ids.set(src.ids.subarray(base, end), idAt[s]!);
        const shift = idAt[s]! - base;
        for (let i = 1; i <= n; i++) dst.offsets[at + i] = src.offsets[r0 + i]! + shift;
        idAt[s]! += end - base;
      }
      at += n;
      taskOffsets[k + 1] = at;
    });
    return { size, labels, dense, slots, taskOffsets };
  };
  return { support: make("support"), query: make("query") };
}
