import { existsSync, promises as fsp } from "node:fs";
import { join } from "node:path";
import { tempSibling } from "./atomicFile.js";
import { BadRows, type OnBadRow } from "./badRows.js";
import { explainFsError } from "./fsError.js";
import { checkWritableTarget } from "./outputCheck.js";
import { FORMAT_VERSION, type Manifest } from "./manifest.js";
import type { PartColumns } from "./partLayout.js";
import { int32Words } from "./int32Words.js";
import { PartWriter } from "./partWriter.js";
import type { RawFormat } from "./rawFormat.js";
import { validateSchema, type RawSchema } from "./rawSchema.js";
import { checkInputFile, readRaw } from "./readRaw.js";
import { SampleChunkBuilder, type SampleChunk } from "./sampleChunk.js";
import { RUN_BATCH, RunWriter, readRun } from "./spillRun.js";
import { validateSplit, type SplitRule } from "./splitRule.js";
import { TaskGrouper } from "./taskGrouper.js";

/** Options of {@link prepare}. */
export interface PrepareOptions {
  /** Raw sample files (CSV, Arrow IPC, Parquet); samples of one task may be spread over them. */
  input: string | string[];
  schema: RawSchema;
  /** Output folder; it appears only when complete. */
  out: string;
  format?: RawFormat;
  split: SplitRule;
  /** Tasks with fewer support samples are dropped and counted (default 1). */
  minSupport?: number;
  /** Tasks with fewer query samples are dropped and counted (default 1). */
  minQuery?: number;
  /** Number of part files to aim for; otherwise parts hold about `rowsPerPart` rows. */
  shards?: number;
  rowsPerPart?: number;
  /** Seed of the shuffle split (default 0). */
  seed?: number;
  /** Bytes of samples held in memory before sorted runs are spilled to disk (default 256 MiB). */
  memoryBudget?: number;
  /** Most rows per read from CSV and Parquet inputs (default 65536). */
  chunkRows?: number;
  /** Replace an existing output folder (default false). */
  overwrite?: boolean;
  /**
   * Rows holding NaN, an infinity or a value beyond float32's range in the label, dense or
   * timestamp columns: "fail" (default) refuses the input naming file, row and column; "skip"
   * drops them and counts them in the manifest (`counts.skippedRows`).
   */
  onBadRow?: OnBadRow;
}

/** What {@link prepare} did. */
export interface PrepareResult {
  dir: string;
  /** Rows dropped for bad values (onBadRow "skip"), and the first one's location and fault. */
  skipped: { rows: number; first?: string };
  manifest: Manifest;
  /** Sorted runs written to disk because the input exceeded the memory budget (0 when it fit). */
  spilledRuns: number;
}

interface Cursor {
  cols: PartColumns;
  i: number;
  next: () => Promise<IteratorResult<PartColumns>>;
}

/**
 * Groups raw samples by task, splits each task into support and query, and writes a prepared
 * dataset folder (manifest.json, Arrow IPC part files of whole tasks, a task index).
 * @example await prepare({ input: "raw.arrow", schema, out: "prepared", split: { query: 0.3 }, minSupport: 5, minQuery: 2 })
 */
export async function prepare(options: PrepareOptions): Promise<PrepareResult> {
  const schema = validateSchema(options.schema);
  const inputs = Array.isArray(options.input) ? options.input : [options.input];
  if (inputs.length === 0) throw new Error("prepare: expected at least one input file, got none");
  const rule = validateSplit(options.split, !!schema.timestamp);
  const minSupport = options.minSupport ?? 1;
  const minQuery = options.minQuery ?? 1;
  const seed = options.seed ?? 0;
  const budget = options.memoryBudget ?? 256 * 1024 * 1024;
  const out = options.out;
  const bad = new BadRows(options.onBadRow ?? "fail");
  if (existsSync(out) && !options.overwrite) {
    throw new Error(`prepare: ${out} already exists; remove it or pass overwrite: true`);
  }
  // Inputs and the output's folder are checked before anything is written.
  for (const file of inputs) checkInputFile(file);
  checkWritableTarget(out);
  const D = schema.dense.length;
  const slotNames = schema.sparse.map((s) => s.name);
  const hasTs = !!schema.timestamp;
  const tmp = tempSibling(out);
  const spillDir = join(tmp, "spill");
  try {
    await fsp.mkdir(spillDir, { recursive: true });
    const vocab = new Array<bigint>(slotNames.length).fill(0n);
    let buffer: SampleChunk[] = [];
    let bufferSeq: Float64Array[] = [];
    let bufferBytes = 0;
    let inputSamples = 0;
    const runs: string[] = [];
    const spill = (): void => {
      const sorted = sortRows(buffer, bufferSeq);
      const run = new RunWriter(join(spillDir, `run-${runs.length}.frames`), slotNames, D);
      const b = new SampleChunkBuilder(D, slotNames.length, hasTs, RUN_BATCH);
      const seq = new Float64Array(RUN_BATCH);
      for (let start = 0; start < sorted.chunk.length; start += RUN_BATCH) {
        const end = Math.min(sorted.chunk.length, start + RUN_BATCH);
        b.reset();
        for (let k = start; k < end; k++) {
          b.appendRow(buffer[sorted.chunk[k]!]!, sorted.row[k]!);
          seq[k - start] = bufferSeq[sorted.chunk[k]!]![sorted.row[k]!]!;
        }
        run.write(b.build(), seq.subarray(0, end - start));
      }
      run.close();
      runs.push(run.file);
      buffer = [];
      bufferSeq = [];
      bufferBytes = 0;
    };
    for (const file of inputs) {
      for await (const chunk of readRaw(file, schema, { ...(options.format ? { format: options.format } : {}), chunkRows: options.chunkRows ?? 65536, badRows: bad, idRange: true })) {
        chunk.sparse.forEach(({ ids }, s) => {
          // A hashed slot's table has hashBuckets rows, whatever its ids.
          vocab[s] = schema.sparse[s]!.hashBuckets !== undefined ? BigInt(schema.sparse[s]!.hashBuckets!) : maxPlusOne(ids, vocab[s]!);
        });
        const seq = new Float64Array(chunk.n);
        for (let i = 0; i < chunk.n; i++) seq[i] = inputSamples + i;
        inputSamples += chunk.n;
        buffer.push(chunk);
        bufferSeq.push(seq);
        bufferBytes += chunkBytes(chunk);
        if (bufferBytes > budget) spill();
      }
    }
    const targetRows = options.shards ? Math.max(1, Math.ceil(inputSamples / options.shards)) : (options.rowsPerPart ?? 65536);
    const writer = new PartWriter(tmp, slotNames, D, hasTs, targetRows);
    const grouper = new TaskGrouper(writer, rule, minSupport, minQuery, seed);
    if (runs.length === 0) {
      const sorted = sortRows(buffer, bufferSeq);
      for (let k = 0; k < sorted.chunk.length; k++) grouper.push(buffer[sorted.chunk[k]!]!, sorted.row[k]!);
    } else {
      if (buffer.length > 0) spill();
      await mergeRuns(runs, slotNames, D, (c, i) => grouper.push(c, i));
    }
    grouper.end();
    const spilledRuns = runs.length;
    const index = writer.finish();
    if (grouper.tasks === 0) {
      throw new Error(
        `prepare: no task has ${minSupport} support and ${minQuery} query samples (${grouper.droppedTasks} tasks dropped); lower minSupport / minQuery or change split.query`,
      );
    }
    const manifest: Manifest = {
      formatVersion: FORMAT_VERSION,
      createdBy: "@gmeta/io prepare",
      schema,
      denseDim: D,
      slots: schema.sparse.map((s, k) => ({
        name: s.name, list: !!s.list, vocab: Number(vocab[k]), ...(s.hashBuckets !== undefined ? { hashBuckets: s.hashBuckets } : {}),
      })),
      split: { ...rule, minSupport, minQuery, seed },
      counts: {
        inputSamples,
        tasks: grouper.tasks,
        samples: grouper.samples,
        supportSamples: grouper.supportSamples,
        querySamples: grouper.querySamples,
        droppedTasks: grouper.droppedTasks,
        droppedSamples: grouper.droppedSamples,
        skippedRows: bad.skipped,
      },
      parts: writer.parts,
      index,
    };
    await fsp.rm(spillDir, { recursive: true, force: true });
    await fsp.writeFile(join(tmp, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
    if (existsSync(out)) await fsp.rm(out, { recursive: true, force: true });
    await fsp.rename(tmp, out);
    return { dir: out, manifest, spilledRuns, skipped: { rows: bad.skipped, ...(bad.first ? { first: bad.first } : {}) } };
  } catch (e) {
    await fsp.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw explainFsError(e, out, "write the prepared dataset");
  }
}

// Ids are ≥ 0 (readers check), so the largest is the largest (high word, unsigned low word).
function maxPlusOne(ids: BigInt64Array, start: bigint): bigint {
  const w = int32Words(ids);
  let hi = -1;
  let lo = 0;
  for (let k = 0; k < ids.length; k++) {
    const h = w[2 * k + 1]!;
    const l = w[2 * k]! >>> 0;
    if (h > hi || (h === hi && l > lo)) {
      hi = h;
      lo = l;
    }
  }
  if (hi < 0) return start;
  const m = (BigInt(hi) << 32n) + BigInt(lo) + 1n;
  return m > start ? m : start;
}

function chunkBytes(c: SampleChunk): number {
  let b = c.task.byteLength + c.label.byteLength + c.dense.byteLength + c.n * 16;
  for (const s of c.sparse) b += s.ids.byteLength + s.offsets.byteLength;
  return b;
}

// A stable order by (task, time, input row) of every buffered row, as (chunk, row) pairs.
function sortRows(buffer: SampleChunk[], seqs: Float64Array[]): { chunk: Uint32Array; row: Uint32Array } {
  const total = buffer.reduce((s, c) => s + c.n, 0);
  const task = new BigInt64Array(total);
  const ts = new Float64Array(total);
  const seq = new Float64Array(total);
  const chunkOf = new Uint32Array(total);
  const rowOf = new Uint32Array(total);
  let at = 0;
  buffer.forEach((c, k) => {
    task.set(c.task, at);
    if (c.timestamp) ts.set(c.timestamp, at);
    seq.set(seqs[k]!, at);
    for (let i = 0; i < c.n; i++) {
      chunkOf[at + i] = k;
      rowOf[at + i] = i;
    }
    at += c.n;
  });
  const perm = new Uint32Array(total);
  for (let i = 0; i < total; i++) perm[i] = i;
  // Keys within ±2^53 compare as doubles, much faster than BigInt comparisons.
  const small = new Float64Array(total);
  let exact = true;
  for (let i = 0; i < total && exact; i++) {
    const v = Number(task[i]!);
    small[i] = v;
    exact = Number.isSafeInteger(v);
  }
  if (exact) perm.sort((a, b) => small[a]! - small[b]! || ts[a]! - ts[b]! || seq[a]! - seq[b]!);
  else {
    perm.sort((a, b) => {
      const ta = task[a]!;
      const tb = task[b]!;
      if (ta !== tb) return ta < tb ? -1 : 1;
      return ts[a]! - ts[b]! || seq[a]! - seq[b]!;
    });
  }
  return { chunk: perm.map((g) => chunkOf[g]!), row: perm.map((g) => rowOf[g]!) };
}

// k-way merge of sorted runs by (task, time, input row); k is small, so a linear scan picks the minimum.
async function mergeRuns(runs: string[], slotNames: string[], D: number, emit: (c: SampleChunk, i: number) => void): Promise<void> {
  const cursors: Cursor[] = [];
  for (const file of runs) {
    const it = readRun(file, slotNames, D);
    const first = await it.next();
    if (!first.done) cursors.push({ cols: first.value, i: 0, next: () => it.next() });
  }
  const less = (a: Cursor, b: Cursor): boolean => {
    const ta = a.cols.chunk.task[a.i]!;
    const tb = b.cols.chunk.task[b.i]!;
    if (ta !== tb) return ta < tb;
    const xa = a.cols.chunk.timestamp ? a.cols.chunk.timestamp[a.i]! : 0;
    const xb = b.cols.chunk.timestamp ? b.cols.chunk.timestamp[b.i]! : 0;
    if (xa !== xb) return xa < xb;
    return a.cols.seq![a.i]! < b.cols.seq![b.i]!;
  };
  while (cursors.length > 0) {
    let best = 0;
    for (let k = 1; k < cursors.length; k++) if (less(cursors[k]!, cursors[best]!)) best = k;
    const c = cursors[best]!;
    emit(c.cols.chunk, c.i);
    c.i++;
    if (c.i >= c.cols.chunk.n) {
      const r = await c.next();
      if (r.done) cursors.splice(best, 1);
      else {
        c.cols = r.value;
        c.i = 0;
      }
    }
  }
}
