import { promises as fsp } from "node:fs";
import { join } from "node:path";
import { sha256File } from "./checksum.js";
import { DataError } from "./dataError.js";
import { readManifest, type Manifest, type ManifestFile } from "./manifest.js";
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
  const files: ManifestFile[] = [...manifest.parts, manifest.index];
  for (const f of files) {
    const path = join(dir, f.file);
    let size: number;
    try {
      size = (await fsp.stat(path)).size;
    } catch {
      throw new DataError({ file: path }, `missing file listed in ${join(dir, "manifest.json")}`);
    }
    if (size !== f.bytes) throw new DataError({ file: path }, `size ${size} differs from the manifest's ${f.bytes} bytes (truncated or replaced)`);
    if (options.verify ?? true) {
      const sum = await sha256File(path);
      if (sum !== f.sha256) throw new DataError({ file: path }, `sha256 mismatch: the manifest says ${f.sha256}, the file has ${sum}`);
    }
  }
  const index = readTaskIndex(dir, manifest);
  if (index.task.length !== manifest.counts.tasks) {
    throw new DataError({ file: join(dir, manifest.index.file) }, `holds ${index.task.length} tasks, the manifest counts ${manifest.counts.tasks}`);
  }
  return { dir, manifest, index, loader: (o) => new MetaLoader(dir, manifest, index, o) };
}
