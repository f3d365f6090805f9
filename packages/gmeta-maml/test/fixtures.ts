import type { MetaBatch, SampleBlock } from "@gmeta/io";
import { sliceTasks } from "../src/trainer/sliceBatch.js";
import { rng } from "../src/data/seededRandom.js";

export { rng };

/** The sub-batch of one task. */
export function sliceTask(b: Pick<MetaBatch, "support" | "query">, t: number): Pick<MetaBatch, "support" | "query"> {
  return sliceTasks(b, t, t + 1);
}


export interface ToySpec {
  tasks: number[];
  dense: number;
  vocab: number[];
  /** Max ids per sample per slot (1 = single id). */
  bag: number[];
}

/** A random block with tasks of the given sizes. */
export function toyBlock(r: () => number, sizes: number[], spec: ToySpec): SampleBlock {
  const n = sizes.reduce((a, b) => a + b, 0);
  const taskOffsets = new Int32Array(sizes.length + 1);
  sizes.forEach((s, i) => (taskOffsets[i + 1] = taskOffsets[i]! + s));
  const slots = spec.vocab.map((v, k) => {
    const offsets = new Int32Array(n + 1);
    const ids: bigint[] = [];
    for (let i = 0; i < n; i++) {
      const len = spec.bag[k]! === 1 ? 1 : Math.floor(r() * (spec.bag[k]! + 1));
      for (let j = 0; j < len; j++) ids.push(BigInt(Math.floor(r() ** 2 * v)));
      offsets[i + 1] = ids.length;
    }
    return { ids: BigInt64Array.from(ids), offsets };
  });
  return {
    size: n,
    labels: Float32Array.from({ length: n }, () => (r() < 0.4 ? 1 : 0)),
    dense: Float32Array.from({ length: n * spec.dense }, () => r() * 2 - 1),
    slots,
    taskOffsets,
  };
}

/** A meta-batch of random tasks; support and query sizes differ per task. */
export function toyBatch(seed: number, spec: ToySpec): Pick<MetaBatch, "support" | "query"> {
  const r = rng(seed);
  const s = spec.tasks.map((n) => n);
  const q = spec.tasks.map((n) => Math.max(1, Math.floor(n / 2) + 1));
  return { support: toyBlock(r, s, spec), query: toyBlock(r, q, spec) };
}

