import { promises as fsp } from "node:fs";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { sha256Bytes } from "./checksum.js";
import { decodePartBatch } from "./partLayout.js";
import { DataError } from "./dataError.js";
import { explainFsError, FsError, isFsError } from "./fsError.js";
import { readManifest, type Manifest, type ManifestPart } from "./manifest.js";
import { MetaLoader, type LoaderOptions } from "./metaLoader.js";
import { readTaskIndex, type TaskIndex } from "./taskIndex.js";

/** A prepared dataset folder, checked and ready to load. */
export interface MetaDataset {
  dir: string;
  manifest: Manifest;
  index: TaskIndex;
  /** A streaming loader of meta-batches for one rank. */
  loader(options: LoaderOptions): MetaLoader;
}

/** Options of {@link openMetaDataset}. */
export interface OpenOptions {
  /** Check every file's size and sha256 against the manifest (default true). */
  verify?: boolean;
}

/** Opens a folder written by `prepare`, validating the manifest and (by default) every checksum. */
export async function openMetaDataset(dir: string, options: OpenOptions = {}): Promise<MetaDataset> {
  const manifest = await readManifest(dir);
  const slotNames = manifest.slots.map((x) => x.name);
  for (const f of [...manifest.parts, manifest.index]) {
    const path = join(dir, f.file);
    let bytes: Uint8Array;
    try {
      bytes = await fsp.readFile(path);
    } catch (e) {
      const why = isFsError(e) ? (explainFsError(e, path) as FsError).reason : String(e);
      throw new DataError({ file: path }, `listed in ${join(dir, "manifest.json")} but not readable: ${why}`);
    }
    if (bytes.length !== f.bytes) throw new DataError({ file: path }, `size ${bytes.length} differs from the manifest's ${f.bytes} bytes (truncated or replaced)`);
    if (options.verify ?? true) {
      const sum = sha256Bytes(bytes);
      if (sum !== f.sha256) throw new DataError({ file: path }, `sha256 mismatch: the manifest says ${f.sha256}, the file has ${sum}`);
    }
    // Each part must be what the manifest says it is (rows, columns, dense width) before anyone trains on it.
    if (f !== manifest.index) checkPart(path, bytes, (f as ManifestPart).rows, slotNames, manifest.denseDim);
  }
  const index = readTaskIndex(dir, manifest);
  if (index.task.length !== manifest.counts.tasks) {
    throw new DataError({ file: join(dir, manifest.index.file) }, `holds ${index.task.length} tasks, the manifest counts ${manifest.counts.tasks}`);
  }
  checkIndexAgainstParts(dir, manifest, index);
  return { dir, manifest, index, loader: (o) => new MetaLoader(dir, manifest, index, o) };
}

// The index is what the loader trusts to slice parts: its tasks and rows must add up to each part's.
function checkIndexAgainstParts(dir: string, manifest: Manifest, index: TaskIndex): void {
  const file = join(dir, manifest.index.file);
  manifest.parts.forEach((p, k) => {
    const from = index.partStart[k]!;
    const to = index.partStart[k + 1]!;
    let rows = 0;
    for (let t = from; t < to; t++) {
      if (index.row[t] !== rows) throw new DataError({ file, row: t + 1, column: "row" }, `expected task ${t + 1} to start at row ${rows} of part ${p.file}, got ${index.row[t]}`);
      if (!(index.support[t]! >= 1 && index.query[t]! >= 1)) throw new DataError({ file, row: t + 1, column: "support" }, `expected at least one support and one query sample, got ${index.support[t]} and ${index.query[t]}`);
      rows += index.support[t]! + index.query[t]!;
    }
    if (to - from !== p.tasks || rows !== p.rows) {
      throw new DataError({ file, column: "part" }, `lists ${to - from} tasks and ${rows} rows in part ${p.file}; the manifest says ${p.tasks} tasks and ${p.rows} rows`);
    }
  });
}

function checkPart(file: string, bytes: Uint8Array, rows: number, slotNames: string[], denseDim: number): void {
  try {
    const t = tableFromIPC(bytes);
    if (t.batches.length !== 1) throw new Error(`expected one record batch, got ${t.batches.length}`);
    if (t.numRows !== rows) throw new Error(`expected ${rows} rows as the manifest lists, got ${t.numRows}`);
    decodePartBatch(t.batches[0]!, slotNames, denseDim);
  } catch (e) {
    throw new DataError({ file }, `does not match the manifest (${(e as Error).message})`);
  }
}
