import { promises as fsp } from "node:fs";
import { join } from "node:path";
import { DataError } from "./dataError.js";
import { explainFsError, FsError } from "./fsError.js";
import { manifestSchema } from "./schemas/manifestSchema.js";
import { FileFormatError, parseJsonText, parseWith } from "./schemas/readJsonFile.js";
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
    /** Rows refused for a bad value and dropped (prepare with onBadRow: "skip"). */
    skippedRows?: number;
  };
  parts: ManifestPart[];
  /** Arrow file of the task index: part, row, support, query, task per task, in part order. */
  index: ManifestFile;
}

/** Reads and checks `dir/manifest.json` against its schema and itself (not the checksums; see openMetaDataset). */
export async function readManifest(dir: string): Promise<Manifest> {
  const file = join(dir, "manifest.json");
  let text: string;
  try {
    text = await fsp.readFile(file, "utf8");
  } catch (e) {
    const err = explainFsError(e, file, "read the manifest");
    const why = err instanceof FsError ? `cannot read the manifest: ${err.reason}` : `cannot read the manifest (${(err as Error).message})`;
    throw new DataError({ file }, `${why}; is ${dir} a folder written by prepare?`);
  }
  const raw = parseJsonText(text, file);
  // A newer layout is named as such, not as a list of fields this reader does not know.
  const version = (raw as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof version === "number" && version > FORMAT_VERSION) {
    throw new FileFormatError(file, "formatVersion", `format version ${version} is newer than this reader supports (${FORMAT_VERSION}); upgrade @gmeta/io`);
  }
  const m: Manifest = parseWith(manifestSchema, raw, file);
  const bad = (field: string, what: string): never => {
    throw new FileFormatError(file, field, what);
  };
  if (m.denseDim !== m.schema.dense.length) bad("denseDim", `expected ${m.schema.dense.length} (the schema's dense columns), got ${m.denseDim}`);
  const names = m.schema.sparse.map((s) => s.name);
  if (m.slots.length !== names.length || m.slots.some((s, i) => s.name !== names[i] || s.list !== !!m.schema.sparse[i]!.list)) {
    bad("slots", `expected the schema's sparse columns [${names.join(", ")}], got [${m.slots.map((s) => s.name).join(", ")}]`);
  }
  const rows = m.parts.reduce((a, p) => a + p.rows, 0);
  const tasks = m.parts.reduce((a, p) => a + p.tasks, 0);
  if (rows !== m.counts.samples) bad("counts.samples", `expected ${rows} (the sum of the parts' rows), got ${m.counts.samples}`);
  if (tasks !== m.counts.tasks) bad("counts.tasks", `expected ${tasks} (the sum of the parts' tasks), got ${m.counts.tasks}`);
  if (m.counts.supportSamples + m.counts.querySamples !== m.counts.samples) {
    bad("counts.samples", `expected supportSamples + querySamples (${m.counts.supportSamples + m.counts.querySamples}), got ${m.counts.samples}`);
  }
  const seen = new Set<string>();
  m.parts.forEach((p, i) => {
    if (p.file.includes("..") || p.file.startsWith("/")) bad(`parts[${i}].file`, `expected a file inside the dataset folder, got ${JSON.stringify(p.file)}`);
    if (seen.has(p.file)) bad(`parts[${i}].file`, `${JSON.stringify(p.file)} is listed twice`);
    seen.add(p.file);
  });
  if (m.index.file.includes("..") || m.index.file.startsWith("/")) bad("index.file", `expected a file inside the dataset folder, got ${JSON.stringify(m.index.file)}`);
  return m;
}
