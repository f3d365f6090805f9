import { promises as fsp } from "node:fs";
import { join } from "node:path";
import { DataError } from "./dataError.js";
import type { RawSchema } from "./rawSchema.js";
import type { SplitRule } from "./splitRule.js";

/** The layout version this code writes and the newest it reads. */
export const FORMAT_VERSION = 1;

/** One file of a prepared dataset. */
export interface ManifestFile {
  file: string;
  bytes: number;
  sha256: string;
}

/** A part file: whole tasks, support rows then query rows per task. */
export interface ManifestPart extends ManifestFile {
  rows: number;
  tasks: number;
}

/** `manifest.json` of a prepared dataset. */
export interface Manifest {
  formatVersion: number;
  createdBy: string;
  schema: RawSchema;
  denseDim: number;
  /**
   * Sparse slots in column order, each with its vocabulary size (max id + 1, or the table's
   * rows when the slot hashes its ids into `hashBuckets` rows).
   */
  slots: { name: string; list: boolean; vocab: number; hashBuckets?: number }[];
  split: Required<SplitRule> & { minSupport: number; minQuery: number; seed: number };
  counts: {
    inputSamples: number;
    tasks: number;
    samples: number;
    supportSamples: number;
    querySamples: number;
    droppedTasks: number;
    droppedSamples: number;
  };
  parts: ManifestPart[];
  /** Arrow file of the task index: part, row, support, query, task per task, in part order. */
  index: ManifestFile;
}

/** Reads and checks `dir/manifest.json` (not the checksums; see openMetaDataset). */
export async function readManifest(dir: string): Promise<Manifest> {
  const file = join(dir, "manifest.json");
  let text: string;
  try {
    text = await fsp.readFile(file, "utf8");
  } catch (e) {
    throw new DataError({ file }, `cannot read the manifest (${(e as Error).message}); is ${dir} a folder written by prepare?`);
  }
  let m: Manifest;
  try {
    m = JSON.parse(text) as Manifest;
  } catch (e) {
    throw new DataError({ file }, `not valid JSON (${(e as Error).message})`);
  }
  const bad = (column: string, what: string): never => {
    throw new DataError({ file, row: "schema", column }, what);
  };
  if (typeof m.formatVersion !== "number") bad("formatVersion", "missing format version");
  if (m.formatVersion > FORMAT_VERSION) {
    bad("formatVersion", `format version ${m.formatVersion} is newer than this reader supports (${FORMAT_VERSION}); upgrade @gmeta/io`);
  }
  if (!Array.isArray(m.parts) || m.parts.length === 0) bad("parts", "expected a non-empty list of part files");
  if (!Array.isArray(m.slots)) bad("slots", "expected a list of slots");
  if (typeof m.denseDim !== "number") bad("denseDim", "expected a number");
  if (!m.index || typeof m.index.file !== "string") bad("index", "expected the task index file");
  return m;
}
