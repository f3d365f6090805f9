import type { MetaBatch, SampleBlock } from "@gmeta/io";
import { sliceTasks } from "../src/trainer/sliceBatch.js";
import { mulberry32 as rng } from "@gmeta/tensor";
import { randomBlock } from "../src/data/randomBlock.js";

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
  return randomBlock(r, sizes, spec.dense, spec.vocab.map((rows, k) => ({ rows, bag: spec.bag[k]! === 1 ? undefined : spec.bag[k]! })));
}

/** A meta-batch of random tasks; support and query sizes differ per task. */
export function toyBatch(seed: number, spec: ToySpec): Pick<MetaBatch, "support" | "query"> {
  const r = rng(seed);
  const s = spec.tasks.map((n) => n);
  const q = spec.tasks.map((n) => Math.max(1, Math.floor(n / 2) + 1));
  return { support: toyBlock(r, s, spec), query: toyBlock(r, q, spec) };
}

