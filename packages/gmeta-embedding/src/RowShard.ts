import type { Device, Tensor } from "@gmeta/tensor";
import { assign, cudaStream, devicePointer, gatherRows, noGrad, reshape, scatterAddRows, Scope, tensor, untracked } from "@gmeta/tensor";

import { initRows } from "./initRows.js";
import { addon } from "./native/binding.js";
import { sparseUpdate } from "./optim/sparseUpdate.js";
import type { ResolvedOptimizer } from "./optim/SparseOptimizer.js";
import { stateSlots } from "./optim/SparseOptimizer.js";
import type { ResolvedTable } from "./TableConfig.js";

/**
 * Rows [rowStart, rowStart + rowCount) of one table with their optimizer state: what a rank
 * owns, on the rank's device (host memory for "cpu", GPU memory for "cuda:N"). The
 * unsharded table is the shard that holds every row.
 */
export class RowShard {
  /** The rows, [rowCount, dim] float32 on `device`. */
  readonly rows: Tensor;
  /** Optimizer state by slot name, [rowCount × width] float32 on `device`. */
  readonly stateTensors: Readonly<Record<string, Tensor>>;
  /** Updates applied to the table so far (the same on every shard of it). */
  step = 0;
  /** CPU views of the slots, made once: every step reads them, and a view is an external buffer to make and collect. */
  private readonly views = new Map<string, Float32Array>();

  constructor(
    readonly table: ResolvedTable,
    readonly optimizer: ResolvedOptimizer,
    readonly rowStart: number,
    readonly rowCount: number,
    readonly device: Device = "cpu",
  ) {
    // Outside any caller's tidy scope: the shard lives as long as its collection.
    const made = untracked(() => {
      const rows = tensor(initRows(table, rowStart, rowCount), { shape: [rowCount, table.dim], device });
      const state: Record<string, Tensor> = {};
      for (const s of stateSlots(optimizer, table.dim)) {
        state[s.name] = tensor(new Float32Array(rowCount * s.width).fill(s.initial), { shape: [rowCount * s.width], device });
      }
      return { rows, state };
    });
    this.rows = made.rows;
    this.stateTensors = made.state;
  }

  /** The rows, [rowCount × dim] row-major: live on the CPU (updates write here), a copy on a GPU. */
  get weights(): Float32Array {
    return this.readSlot("");
  }

  /** Optimizer state arrays by slot name: live on the CPU, copies on a GPU. */
  get state(): Record<string, Float32Array> {
    return Object.fromEntries(Object.keys(this.stateTensors).map((k) => [k, this.readSlot(k)]));
  }

  /** One slot ("" for the rows) as floats: a live view on the CPU, a host copy on a GPU. */
  readSlot(name: string): Float32Array {
    const t = this.slot(name);
    if (this.device !== "cpu") return t.toArray() as Float32Array;
    let v = this.views.get(name);
    if (!v) this.views.set(name, (v = t.hostView() as Float32Array));
    return v;
  }

  /** Overwrites one slot ("" for the rows) with host values of its full length. */
  writeSlot(name: string, values: Float32Array): void {
    const t = this.slot(name);
    if (this.device === "cpu") {
      const live = this.readSlot(name);
      if (live.buffer === values.buffer && live.byteOffset === values.byteOffset) return;
    }
    assign(t, values);
  }

  private slot(name: string): Tensor {
    const t = name === "" ? this.rows : this.stateTensors[name];
    if (!t) throw new Error(`table "${this.table.name}": no optimizer state "${name}" (has: ${Object.keys(this.stateTensors).join(", ") || "none"})`);
    return t;
  }

  /** Local rows `index` as a new [index.length, dim] tensor on the shard's device. */
  gatherTensor(index: Int32Array): Tensor {
    this.checkRows(index);
    return untracked(() => noGrad(() => {
      const idx = tensor(index, { dtype: "int32", device: this.device });
      try {
        return gatherRows(this.rows, idx);
      } finally {
        idx.dispose();
      }
    }));
  }

  /**
   * One optimizer step: sums the gradient rows of duplicate local rows (unless the caller
   * knows `index` is unique), then applies the fused update to each touched row once.
   * Advances `step` even when no row is touched, so every shard of a table agrees on Adam's
   * bias correction. `grads` is [index.length, dim]: host floats, or a float32 tensor on
   * the shard's device.
   */
  apply(index: Int32Array, grads: Float32Array | Tensor, indexIsUnique = false): void {
    if (!(grads instanceof Float32Array) && this.device !== "cpu") {
      this.applyOnDevice(index, grads, indexIsUnique);
      return;
    }
    const g = grads instanceof Float32Array ? grads : (grads.hostView() as Float32Array);
    this.step += 1;
    if (index.length === 0) return;
    const dim = this.table.dim;
    const state = this.state;
    if (indexIsUnique) {
      sparseUpdate(this.optimizer, { weights: this.weights, dim, index, grads: g, state, step: this.step });
      return;
    }
    const { unique, inverse } = uniqueOf(index);
    // Duplicates summed by @gmeta/tensor's scatter-add, the kernel the device path uses too.
    const summed = untracked(() => noGrad(() => {
      const inv = tensor(inverse, { dtype: "int32" });
      const src = tensor(g, { shape: [index.length, dim] });
      try {
        return scatterAddRows(src, inv, unique.length);
      } finally {
        inv.dispose();
        src.dispose();
      }
    }));
    try {
      sparseUpdate(this.optimizer, { weights: this.weights, dim, index: unique, grads: summed.hostView() as Float32Array, state, step: this.step });
    } finally {
      summed.dispose();
    }
  }

  /** The fused update on GPU rows: duplicates summed on the device, one kernel per step. */
  private applyOnDevice(index: Int32Array, grads: Tensor, indexIsUnique: boolean): void {
    const dim = this.table.dim;
    const what = `gradients of table "${this.table.name}"`;
    if (grads.dtype !== "float32" || grads.device !== this.device || grads.numel !== index.length * dim) {
      throw new Error(`RowShard.apply: expected a float32 tensor of ${index.length * dim} elements on ${this.device} for ${what}, got a ${grads.dtype} tensor of ${grads.numel} on ${grads.device}`);
    }
    this.checkRows(index);
    this.step += 1;
    if (index.length === 0) return;
    const scope = new Scope();
    try {
      let rows = index;
      let g = grads;
      if (!indexIsUnique) {
        const u = uniqueOf(index);
        rows = u.unique;
        g = scope.run(() => noGrad(() => scatterAddRows(reshape(grads, [index.length, dim]), tensor(u.inverse, { dtype: "int32", device: this.device }), u.unique.length)));
      }
      const idx = scope.run(() => tensor(rows, { dtype: "int32", device: this.device }));
      const o = this.optimizer;
      const common = {
        device: Number(this.device.slice("cuda:".length)),
        stream: cudaStream(this.device),
        weights: devicePointer(this.rows),
        rows: this.rowCount,
        dim,
        index: devicePointer(idx),
        n: rows.length,
        grads: devicePointer(g),
        lr: o.lr,
      };
      switch (o.kind) {
        case "sgd":
          addon.sparseUpdateDevice("sgd", common);
          break;
        case "adagrad":
          addon.sparseUpdateDevice("adagrad", { ...common, state: devicePointer(this.slot("sum")), rowWise: o.rowWise, eps: o.eps });
          break;
        case "adam":
          addon.sparseUpdateDevice("adam", {
            ...common, m: devicePointer(this.slot("m")), v: devicePointer(this.slot("v")),
            beta1: o.beta1, beta2: o.beta2, eps: o.eps, step: this.step,
          });
          break;
      }
    } finally {
      // The device's caching allocator hands freed blocks only to work queued later on the
      // same stream, so the kernels above still read valid memory.
      scope.dispose();
    }
  }

  /** Frees the rows and state (device memory goes back to the tensor package's cache). */
  dispose(): void {
    this.views.clear();
    this.rows.dispose();
    for (const t of Object.values(this.stateTensors)) t.dispose();
  }

  private checkRows(index: Int32Array): void {
    for (let k = 0; k < index.length; k++) {
      const r = index[k]!;
      if (r < 0 || r >= this.rowCount) throw this.outside(index, k);
    }
  }

  private outside(index: Int32Array, at: number): Error {
    return new Error(`table "${this.table.name}": local row ${index[at]} is outside this shard's ${this.rowCount} rows`);
  }
}

/** The distinct rows of `index` in first-seen order and where each entry went. */
function uniqueOf(index: Int32Array): { unique: Int32Array; inverse: Int32Array } {
  const unique = new Int32Array(index.length);
  const inverse = new Int32Array(index.length);
  const u = addon.uniqueInverse(index, unique, inverse);
  return { unique: unique.subarray(0, u), inverse };
}
