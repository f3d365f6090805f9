import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Int64, Table, makeData, makeVector, tableToIPC } from "apache-arrow";
import { sha256Bytes } from "./checksum.js";
import type { ManifestFile, ManifestPart } from "./manifest.js";
import { encodePartBatch } from "./partLayout.js";
import { SampleChunkBuilder, type SampleChunk } from "./sampleChunk.js";

/** A sample inside a chunk held in memory. */
export interface RowRef {
  chunk: SampleChunk;
  i: number;
}

/**
 * Packs whole tasks into Arrow IPC part files of about `targetRows` rows (a task is never
 * split across parts) and records the task index.
 */
export class PartWriter {
  readonly parts: ManifestPart[] = [];
  private b: SampleChunkBuilder;
  private roles: number[] = [];
  private partTasks = 0;
  private idx = { part: [] as number[], row: [] as number[], support: [] as number[], query: [] as number[], task: [] as bigint[] };

  constructor(
    private readonly dir: string,
    private readonly slotNames: string[],
    private readonly denseDim: number,
    hasTimestamp: boolean,
    private readonly targetRows: number,
  ) {
    this.b = new SampleChunkBuilder(denseDim, slotNames.length, hasTimestamp, 4096);
  }

  /** Adds one task whose rows are already ordered support first. */
  addTask(task: bigint, rows: RowRef[], support: number): void {
    this.idx.part.push(this.parts.length);
    this.idx.row.push(this.b.n);
    this.idx.support.push(support);
    this.idx.query.push(rows.length - support);
    this.idx.task.push(task);
    rows.forEach((r, k) => {
      this.b.appendRow(r.chunk, r.i);
      this.roles.push(k < support ? 0 : 1);
    });
    this.partTasks++;
    if (this.b.n >= this.targetRows) this.flush();
  }

  /** Writes the pending part, if any. */
  flush(): void {
    if (this.b.n === 0) return;
    const chunk = this.b.build();
    const batch = encodePartBatch(chunk, this.slotNames, this.denseDim, Uint8Array.from(this.roles));
    const bytes = tableToIPC(new Table([batch]), "file");
    const file = `part-${String(this.parts.length).padStart(5, "0")}.arrow`;
    writeFileSync(join(this.dir, file), bytes);
    this.parts.push({ file, rows: chunk.n, tasks: this.partTasks, bytes: bytes.length, sha256: sha256Bytes(bytes) });
    this.b.reset();
    this.roles = [];
    this.partTasks = 0;
  }

  /** Flushes and writes the task index file. */
  finish(): ManifestFile {
    this.flush();
    const i32 = (xs: number[]) => makeVector(Int32Array.from(xs));
    const table = new Table({
      part: i32(this.idx.part),
      row: i32(this.idx.row),
      support: i32(this.idx.support),
      query: i32(this.idx.query),
      task: makeVector(makeData({ type: new Int64(), length: this.idx.task.length, data: BigInt64Array.from(this.idx.task) })),
    });
    const bytes = tableToIPC(table, "file");
    const file = "tasks.arrow";
    writeFileSync(join(this.dir, file), bytes);
    return { file, bytes: bytes.length, sha256: sha256Bytes(bytes) };
  }
}
