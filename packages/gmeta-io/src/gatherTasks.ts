import { join } from "node:path";
import type { DecodedBatch } from "./decodePool.js";
import type { SampleBlock } from "./metaBatch.js";
import type { PartColumns } from "./partLayout.js";
import type { SlotIds } from "./sampleChunk.js";

/** Fields of one task in a flat task list: part, first row, support size, query size. */
export const TASK_FIELDS = 4;

/** The part files (paths under `dir`) a flat task list reads, for error messages. */
export function partFiles(tasks: Int32Array, files: readonly string[], dir: string): string[] {
  const parts = new Set<number>();
  for (let k = 0; k < tasks.length; k += TASK_FIELDS) parts.add(tasks[k]!);
  return [...parts].map((p) => (files[p] === undefined ? `part ${p}` : join(dir, files[p]!)));
}

/**
 * Copies the tasks' rows (support rows then query rows, adjacent in their part) into fresh
 * support and query blocks. Every array of the batch is a view of one new ArrayBuffer, so a
 * worker hands the whole batch over by transferring a single buffer. Small per-task copies
 * are plain loops: for tasks of tens of rows they beat creating subarrays to `set` from.
 */
export function gatherTasks(
  getPart: (part: number) => PartColumns,
  tasks: Int32Array,
  taskKeys: BigInt64Array,
  denseDim: number,
  slotCount: number,
): DecodedBatch {
  const T = tasks.length / TASK_FIELDS;
  const ws: Words[] = new Array(T);
  let lastPart = -1;
  let last: Words | null = null;
  let nS = 0;
  let nQ = 0;
  const idS = new Array<number>(slotCount).fill(0);
  const idQ = new Array<number>(slotCount).fill(0);
  for (let t = 0; t < T; t++) {
    const p = tasks[t * TASK_FIELDS]!;
    if (p !== lastPart) {
      last = partWords(getPart(p));
      lastPart = p;
    }
    ws[t] = last!;
    const row = tasks[t * TASK_FIELDS + 1]!;
    const sup = tasks[t * TASK_FIELDS + 2]!;
    const qry = tasks[t * TASK_FIELDS + 3]!;
    nS += sup;
    nQ += qry;
    for (let s = 0; s < slotCount; s++) {
      const o = last!.offsets[s]!;
      idS[s]! += o[row + sup]! - o[row]!;
      idQ[s]! += o[row + sup + qry]! - o[row + sup]!;
    }
  }
  const idTotal = idS.reduce((a, b) => a + b, 0) + idQ.reduce((a, b) => a + b, 0);
  const words4 = (nS + nQ) * (1 + denseDim) + slotCount * (nS + nQ + 2) + 2 * (T + 1);
  // Not zero-filled: fill() writes every element (first offsets set below), and a fresh
  // unpooled buffer can be transferred.
  const buffer = Buffer.allocUnsafeSlow(8 * (T + idTotal) + 4 * words4).buffer as ArrayBuffer;
  let at = 0;
  const big = (n: number): BigInt64Array => {
    const a = new BigInt64Array(buffer, at, n);
    at += 8 * n;
    return a;
  };
  const f32 = (n: number): Float32Array => {
    const a = new Float32Array(buffer, at, n);
    at += 4 * n;
    return a;
  };
  const i32 = (n: number): Int32Array => {
    const a = new Int32Array(buffer, at, n);
    at += 4 * n;
    return a;
  };
  // 8-byte arrays first keeps every view aligned
  const keys = big(T);
  keys.set(taskKeys);
  const idsS = idS.map((n) => big(n));
  const idsQ = idQ.map((n) => big(n));
  const block = (size: number, ids: BigInt64Array[]): SampleBlock => ({
    size,
    labels: f32(size),
    dense: f32(size * denseDim),
    slots: ids.map((a): SlotIds => ({ ids: a, offsets: i32(size + 1) })),
    taskOffsets: i32(T + 1),
  });
  const support = block(nS, idsS);
  const query = block(nQ, idsQ);
  fill(support, ws, tasks, 0, denseDim, slotCount);
  fill(query, ws, tasks, 1, denseDim, slotCount);
  return { taskKeys: keys, support, query };
}

// Every copy below goes through Int32Array aliases made here: labels and dense floats move as
// their bit patterns, int64 ids as pairs of words (no BigInt boxing). One array type in every
// loop also keeps V8's compiled loops monomorphic whatever made the source arrays.
interface Words {
  label: Int32Array;
  dense: Int32Array;
  ids: Int32Array[];
  offsets: Int32Array[];
}
const words = new WeakMap<object, Words>();
const alias = (a: ArrayBufferView, length: number): Int32Array => new Int32Array(a.buffer, a.byteOffset, length);

function partWords(p: PartColumns): Words {
  let w = words.get(p);
  if (!w) {
    const c = p.chunk;
    w = {
      label: alias(c.label, c.label.length),
      dense: alias(c.dense, c.dense.length),
      ids: c.sparse.map((x) => alias(x.ids, x.ids.length * 2)),
      offsets: c.sparse.map((x) => alias(x.offsets, x.offsets.length)),
    };
    words.set(p, w);
  }
  return w;
}

// Column by column: each loop copies one column for every task, so its arrays keep one shape
// and the per-task work is a few index reads and one copy.
function fill(b: SampleBlock, ws: Words[], tasks: Int32Array, role: 0 | 1, D: number, S: number): void {
  const T = ws.length;
  const to = b.taskOffsets;
  const L = alias(b.labels, b.labels.length);
  const Dd = alias(b.dense, b.dense.length);
  const first = role === 0 ? 0 : 1;
  to[0] = 0;
  let at = 0;
  for (let t = 0; t < T; t++) {
    const k = t * TASK_FIELDS;
    const r0 = tasks[k + 1]! + first * tasks[k + 2]!;
    const n = tasks[k + 2 + role]!;
    const w = ws[t]!;
    copy(w.label, r0, L, at, n);
    if (D > 0) copy(w.dense, r0 * D, Dd, at * D, n * D);
    at += n;
    to[t + 1] = at;
  }
  for (let s = 0; s < S; s++) {
    const dIds = alias(b.slots[s]!.ids, b.slots[s]!.ids.length * 2);
    const dOff = b.slots[s]!.offsets;
    dOff[0] = 0;
    let idAt = 0;
    at = 0;
    for (let t = 0; t < T; t++) {
      const k = t * TASK_FIELDS;
      const r0 = tasks[k + 1]! + first * tasks[k + 2]!;
      const n = tasks[k + 2 + role]!;
      const w = ws[t]!;
      const so = w.offsets[s]!;
      const base = so[r0]!;
      const end = so[r0 + n]!;
      copy(w.ids[s]!, 2 * base, dIds, 2 * idAt, 2 * (end - base));
      const shift = idAt - base;
      for (let i = 1; i <= n; i++) dOff[at + i] = so[r0 + i]! + shift;
      idAt += end - base;
      at += n;
    }
  }
}

// Long runs go through memcpy; for short ones a loop is cheaper than making a subarray.
function copy(src: Int32Array, from: number, dst: Int32Array, to: number, n: number): void {
  if (n > 64) dst.set(src.subarray(from, from + n), to);
  else for (let i = 0; i < n; i++) dst[to + i] = src[from + i]!;
}
