import type { Tensor } from "@gmeta/tensor";

import { argError, describe } from "./errors.js";
import { idArray } from "./ids.js";
import { rowsOfIds } from "./rowIndex.js";
import type { IdInput } from "./ids.js";
import type { SparseOptimizerConfig } from "./optim/SparseOptimizer.js";
import { resolveOptimizer } from "./optim/SparseOptimizer.js";
import { checkOffsets, poolRows } from "./pooling.js";
import type { PoolingMode } from "./pooling.js";
import { RowShard } from "./RowShard.js";
import type { ResolvedTable, TableConfig } from "./TableConfig.js";
import { resolveTable } from "./TableConfig.js";

/** Options of an unsharded table: its config and the optimizer its updates use. */
export interface EmbeddingTableOptions extends TableConfig {
  /** Default: plain SGD with lr 0.01. */
  optimizer?: SparseOptimizerConfig;
}

/**
 * The unsharded reference table on one process: every row and its optimizer state in one
 * place. The sharded collection must agree with it.
 * @example const t = new EmbeddingTable({ name: "item", rows: 1000, dim: 16, seed: 1 });
 */
export class EmbeddingTable {
  readonly config: ResolvedTable;
  /** @internal */ readonly shard: RowShard;

  constructor(opts: EmbeddingTableOptions) {
    this.config = resolveTable("EmbeddingTable", opts);
    const optimizer = resolveOptimizer("EmbeddingTable", opts.optimizer ?? { kind: "sgd", lr: 0.01 });
    this.shard = new RowShard(this.config, optimizer, 0, this.config.rows);
  }

  get name(): string {
    return this.config.name;
  }

  /** All rows, [rows × dim] row-major (live: updates write here). */
  get weights(): Float32Array {
    return this.shard.weights;
  }

  /** Optimizer state arrays by name (Adagrad: "sum"; Adam: "m", "v"). */
  get state(): Readonly<Record<string, Float32Array>> {
    return this.shard.state;
  }

  /** Updates applied so far. */
  get step(): number {
    return this.shard.step;
  }

  /** The row each id reads (validated, or hashed for hash tables). */
  rowsOf(ids: IdInput): Int32Array {
    return rowsOfIds("EmbeddingTable.lookup", this.config, idArray("EmbeddingTable.lookup", this.name, ids));
  }

  /** Rows of the ids as a [n, dim] float32 tensor. */
  lookup(ids: IdInput): Tensor {
    return this.shard.gatherTensor(this.rowsOf(ids));
  }

  /** Bags of rows pooled by sum or mean over `offsets` (B + 1 values): [B, dim]. */
  lookupPooled(ids: IdInput, offsets: BigInt64Array | Int32Array, mode: PoolingMode = "sum"): Tensor {
    const n = idArray("EmbeddingTable.lookupPooled", this.name, ids).length;
    const o = checkOffsets("EmbeddingTable.lookupPooled", this.name, offsets, n);
    const rows = this.lookup(ids);
    try {
      return poolRows(rows, o, mode);
    } finally {
      rows.dispose();
    }
  }

  /** One optimizer step from the gradient of each looked-up id's row ([n, dim]); duplicates sum. */
  applyGradients(ids: IdInput, grads: Float32Array | Tensor): void {
    const op = "EmbeddingTable.applyGradients";
    const rows = this.rowsOf(ids);
    const g = grads instanceof Float32Array ? grads : gradArray(op, this.name, grads);
    if (g.length !== rows.length * this.config.dim) {
      throw argError(op, `${rows.length * this.config.dim} floats ([${rows.length}, ${this.config.dim}])`, `grads of table "${this.name}"`, describe(grads));
    }
    this.shard.apply(rows, g);
  }
}

/** The element count of a float32 tensor of gradients, on any device. */
export function gradNumel(op: string, table: string, g: unknown): number {
  if (g !== null && typeof g === "object" && "dtype" in g && (g as Tensor).dtype === "float32") return (g as Tensor).numel;
  throw argError(op, "a Float32Array or float32 tensor", `grads of table "${table}"`, describe(g));
}

/** A float32 tensor's values (a view on the CPU, a copy from a GPU). */
export function gradArray(op: string, table: string, g: unknown): Float32Array {
  if (g instanceof Float32Array) return g;
  if (g !== null && typeof g === "object" && "dtype" in g && (g as Tensor).dtype === "float32") {
    const t = g as Tensor;
    return (t.device === "cpu" ? t.hostView() : t.toArray()) as Float32Array;
  }
  throw argError(op, "a Float32Array or float32 tensor", `grads of table "${table}"`, describe(g));
}

