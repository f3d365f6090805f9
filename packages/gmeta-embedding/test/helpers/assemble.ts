import type { ShardedEmbeddingCollection } from "../../src/index.js";
import { TABLES } from "./scenario.js";

/** Every table's full weights and state, assembled from the shards of all ranks. */
export function assemble(colls: ShardedEmbeddingCollection[]): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const t of TABLES) {
    for (const key of ["weights", "m", "v"]) {
      const full = new Float32Array(t.rows * t.dim);
      for (const c of colls) {
        const s = c.localShard(t.name);
        if (s) full.set(key === "weights" ? s.weights : s.state[key]!, s.rowStart * t.dim);
      }
      out[`${t.name}.${key}`] = full;
    }
  }
  return out;
}

