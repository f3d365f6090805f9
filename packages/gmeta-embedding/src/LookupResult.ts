import { captureTensors, enableGrad, gatherRows, noGrad, tensor } from "@gmeta/tensor";
import type { Tensor } from "@gmeta/tensor";

import { poolRows } from "./pooling.js";
import type { PoolingMode } from "./pooling.js";

import type { TableRoute } from "./routing.js";

/** One table's part of a lookup. */
export interface TableLookup {
  table: string;
  /** E_U: the unique rows, [U, dim], a leaf that requires grad; differentiate with respect to it. */
  unique: Tensor;
  /** Global row of each row of `unique`. */
  uniqueRows: Int32Array;
  /** Row of `unique` each id reads. */
  inverse: Int32Array;
  /**
   * The rows per id ([n, dim], gathered from `unique`), or pooled per bag ([B, dim]). Built
   * on first access (a trainer that expands E_U itself never pays for it), recorded for
   * autograd if recording was on at lookup time; owned by the LookupResult.
   */
  readonly values: Tensor;
}

/** @internal A table's lookup whose values are built from E_U when first read. */
export class LazyTableLookup implements TableLookup {
  private built: Tensor | undefined;

  constructor(
    readonly table: string,
    readonly unique: Tensor,
    readonly uniqueRows: Int32Array,
    readonly inverse: Int32Array,
    private readonly pooling: { offsets: BigInt64Array; mode: PoolingMode } | undefined,
    private readonly owned: Tensor[],
    /** Whether autograd was recording when the lookup was called. */
    private readonly record: boolean,
  ) {}

  get values(): Tensor {
    if (this.built) return this.built;
    // In the lookup's grad mode; every tensor made here, the graph's intermediates included,
    // belongs to the LookupResult and is freed with it (not left to the garbage collector).
    const { result, created } = captureTensors(() => (this.record ? enableGrad : noGrad)(() => {
      const inv = tensor(this.inverse, { dtype: "int32", device: this.unique.device });
      const rows = gatherRows(this.unique, inv);
      return this.pooling ? poolRows(rows, this.pooling.offsets, this.pooling.mode) : rows;
    }));
    this.owned.push(...created);
    this.built = result;
    return this.built;
  }
}

/** @internal What the owner side remembers to route gradients back. */
export interface OwnerRoute {
  /** recvCounts[src][t]: rows rank src asked of table t. */
  recvCounts: number[][];
  /** Local rows asked of each table, concatenated in source order. */
  localRows: Int32Array[];
}

/**
 * The result of one lookup: per table, E_U and the values built from it. Gradients of E_U go
 * back through `applyGradients`. Dispose it when the step is done.
 */
export class LookupResult {
  /** @internal */ constructor(
    readonly tables: Readonly<Record<string, TableLookup>>,
    /** @internal */ readonly routes: (TableRoute | undefined)[],
    /** @internal */ readonly owner: OwnerRoute,
    /** @internal */ private readonly owned: Tensor[],
  ) {}

  /** One table's lookup; throws naming the table if it was not looked up. */
  get(table: string): TableLookup {
    const t = this.tables[table];
    if (!t) throw new Error(`LookupResult.get: table "${table}" was not part of this lookup (looked up: ${Object.keys(this.tables).join(", ")})`);
    return t;
  }

  /** The E_U leaves in table order, for grad(). */
  uniqueLeaves(): Tensor[] {
    return Object.values(this.tables).map((t) => t.unique);
  }

  /** Frees every tensor this lookup made. */
  dispose(): void {
    for (const t of this.owned) t.dispose();
  }
}
