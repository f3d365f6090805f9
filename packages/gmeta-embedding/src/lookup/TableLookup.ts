import { enableGrad, gatherRows, noGrad, tensor } from "@gmeta/tensor";
import type { Scope, Tensor } from "@gmeta/tensor";

import { poolRows } from "../pooling.js";
import type { PoolingMode } from "../pooling.js";

/** One table's part of a lookup session. */
export interface TableLookup {
  table: string;
  /** E_U: the unique rows, [U, dim], a leaf that requires grad; differentiate with respect to it. */
  unique: Tensor;
  /** Global row of each row of `unique`. */
  uniqueRows: Int32Array;
  /** Row of `unique` each given id reads: the step's only dedup. */
  inverse: Int32Array;
  /**
   * The rows per id ([n, dim], gathered from `unique`), or pooled per bag ([B, dim]). Built
   * on first access (a trainer that expands E_U itself never pays for it), recorded for
   * autograd if recording was on at lookup time; owned by the session.
   */
  readonly values: Tensor;
}

/** @internal A table's lookup whose values are built from E_U when first read, in the session's arena. */
export class LazyTableLookup implements TableLookup {
  private built: Tensor | undefined;

  constructor(
    readonly table: string,
    readonly unique: Tensor,
    readonly uniqueRows: Int32Array,
    readonly inverse: Int32Array,
    private readonly pooling: { offsets: BigInt64Array; mode: PoolingMode } | undefined,
    private readonly arena: Scope,
    /** Whether autograd was recording when the lookup was called. */
    private readonly record: boolean,
  ) {}

  get values(): Tensor {
    // Every tensor made here, the graph's intermediates included, belongs to the arena.
    this.built ??= this.arena.run(() => (this.record ? enableGrad : noGrad)(() => {
      const inv = tensor(this.inverse, { dtype: "int32", device: this.unique.device });
      const rows = gatherRows(this.unique, inv);
      return this.pooling ? poolRows(rows, this.pooling.offsets, this.pooling.mode) : rows;
    }));
    return this.built!;
  }
}
