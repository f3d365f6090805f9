import type { Tensor } from "@gmeta/tensor";

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
  /** The rows per id ([n, dim], gathered from `unique`), or pooled per bag ([B, dim]). */
  values: Tensor;
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
