import { initRows } from "./initRows.js";
import { addon } from "./native/binding.js";
import { sparseUpdate } from "./optim/sparseUpdate.js";
import type { ResolvedOptimizer } from "./optim/SparseOptimizer.js";
import { stateSlots } from "./optim/SparseOptimizer.js";
import type { ResolvedTable } from "./TableConfig.js";

/**
 * Rows [rowStart, rowStart + rowCount) of one table with their optimizer state: what a rank
 * owns. The unsharded table is the shard that holds every row.
 */
export class RowShard {
  readonly weights: Float32Array;
  readonly state: Record<string, Float32Array> = {};
  /** Updates applied to the table so far (the same on every shard of it). */
  step = 0;

  constructor(
    readonly table: ResolvedTable,
    readonly optimizer: ResolvedOptimizer,
    readonly rowStart: number,
    readonly rowCount: number,
  ) {
    this.weights = initRows(table, rowStart, rowCount);
    for (const s of stateSlots(optimizer, table.dim)) {
      this.state[s.name] = new Float32Array(rowCount * s.width).fill(s.initial);
    }
  }

  /** Copies local rows `index` into `out` ([index.length, dim]). */
  gather(index: Int32Array, out: Float32Array): void {
    const bad = addon.gatherRows(this.weights, this.table.dim, index, out);
    if (bad >= 0) throw new Error(`table "${this.table.name}": local row ${index[bad]} is outside this shard's ${this.rowCount} rows`);
  }

  /**
   * One optimizer step: sums the gradient rows of duplicate local rows (unless the caller
   * knows `index` is unique), then applies the fused update to each touched row once. Advances `step` even when no row is touched,
   * so every shard of a table agrees on Adam's bias correction.
   */
  apply(index: Int32Array, grads: Float32Array, indexIsUnique = false): void {
    this.step += 1;
    if (index.length === 0) return;
    const dim = this.table.dim;
    if (indexIsUnique) {
      sparseUpdate(this.optimizer, { weights: this.weights, dim, index, grads, state: this.state, step: this.step });
      return;
    }
    const unique = new Int32Array(index.length);
    const inverse = new Int32Array(index.length);
    const u = addon.uniqueInverse(index, unique, inverse);
    const summed = new Float32Array(u * dim);
    const bad = addon.scatterAddRows(summed, dim, inverse, grads);
    if (bad >= 0) throw new Error(`table "${this.table.name}": bad inverse index at ${bad}`);
    sparseUpdate(this.optimizer, {
      weights: this.weights,
      dim,
      index: unique.subarray(0, u),
      grads: summed,
      state: this.state,
      step: this.step,
    });
  }
}
