import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { DataError } from "./dataError.js";
import type { Manifest } from "./manifest.js";

/** Every task of a prepared dataset, in part order. */
export interface TaskIndex {
  part: Int32Array;
  row: Int32Array;
  support: Int32Array;
  query: Int32Array;
  task: BigInt64Array;
  /** Tasks of part p are partStart[p] .. partStart[p+1]. */
  partStart: Int32Array;
}

/** Reads the task index named by the manifest and checks it against the part list. */
export function readTaskIndex(dir: string, manifest: Manifest): TaskIndex {
  const file = join(dir, manifest.index.file);
  const t = tableFromIPC(readFileSync(file));
  const col = <A>(name: string): A => {
    const v = t.getChild(name);
    if (!v) throw new DataError({ file, row: "schema", column: name }, "missing column");
    return v.toArray() as A;
  };
  const idx = {
    part: col<Int32Array>("part"),
    row: col<Int32Array>("row"),
    support: col<Int32Array>("support"),
    query: col<Int32Array>("query"),
    task: col<BigInt64Array>("task"),
  };
  const P = manifest.parts.length;
  const partStart = new Int32Array(P + 1);
  for (let k = 0; k < idx.part.length; k++) {
    const p = idx.part[k]!;
    if (p < 0 || p >= P || (k > 0 && p < idx.part[k - 1]!)) {
      throw new DataError({ file, row: k + 1, column: "part" }, `expected a part in [0, ${P}) in part order, got ${p}`);
    }
    partStart[p + 1]!++;
  }
  for (let p = 0; p < P; p++) partStart[p + 1]! += partStart[p]!;
  return { ...idx, partStart };
}
