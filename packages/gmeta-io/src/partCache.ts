import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { DataError } from "./dataError.js";
import { decodePartBatch, type PartColumns } from "./partLayout.js";

/** Keeps the last few decoded part files (zero-copy views over their bytes, read here or handed in). */
export class PartCache {
  private cache = new Map<number, PartColumns>();

  constructor(
    private readonly dir: string,
    private readonly files: string[],
    private readonly slotNames: string[],
    private readonly denseDim: number,
    private readonly capacity = 4,
    /** Rows the manifest lists for each part, checked on decoding. */
    private readonly rows?: readonly number[],
  ) {}

  /** Part `part`, decoded from `bytes` when given and not cached, else read from its file. */
  get(part: number, bytes?: Uint8Array): PartColumns {
    const hit = this.cache.get(part);
    if (hit) {
      this.cache.delete(part);
      this.cache.set(part, hit);
      return hit;
    }
    const file = join(this.dir, this.files[part]!);
    let cols: PartColumns;
    try {
      const table = tableFromIPC(bytes ?? readFileSync(file));
      if (table.batches.length !== 1) throw new Error(`expected one record batch, got ${table.batches.length}`);
      const batch = table.batches[0]!;
      const want = this.rows?.[part];
      if (want !== undefined && batch.numRows !== want) throw new Error(`expected ${want} rows as the manifest lists, got ${batch.numRows}`);
      cols = decodePartBatch(batch, this.slotNames, this.denseDim);
    } catch (e) {
      throw new DataError({ file }, `cannot decode part file (${(e as Error).message})`);
    }
    this.cache.set(part, cols);
    if (this.cache.size > this.capacity) this.cache.delete(this.cache.keys().next().value!);
    return cols;
  }
}
