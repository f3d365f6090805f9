// A few deterministic training steps on a collection, the same on any world size: rank r
// takes its slice of a global batch, and the loss weights come from the batch.
import { grad, mul, sum, tensor } from "@gmeta/tensor";

import type { ShardedEmbeddingCollection } from "../../src/index.js";
import { globalBatch } from "./scenario.js";

export async function trainSteps(coll: ShardedEmbeddingCollection, steps: number, per = 12): Promise<void> {
  const W = coll.worldSize;
  const lo = coll.rank * per;
  for (let s = 0; s < steps; s++) {
    const b = globalBatch(100 + s, W);
    const res = await coll.lookup({ user: b.user.subarray(lo, lo + per), item: b.item.subarray(lo, lo + per), tag: b.tag.subarray(lo, lo + per) });
    const parts = (["user", "item", "tag"] as const).map((n) => {
      const dim = n === "item" ? 8 : 4;
      const c = tensor(Float32Array.from({ length: per * dim }, (_, i) => Math.sin(i + lo * dim + s)), { shape: [per, dim], device: coll.device });
      return sum(mul(res.get(n).values, c));
    });
    const gs = grad(parts, [res.get("user").unique, res.get("item").unique, res.get("tag").unique]);
    await res.applyGradients({ user: gs[0]!, item: gs[1]!, tag: gs[2]! });
    res.dispose();
  }
}

/** Every row of the fixed-vocabulary tables, looked up on rank 0 (others ask for nothing). */
export async function lookupAllRows(coll: ShardedEmbeddingCollection): Promise<Record<string, Float32Array>> {
  const out: Record<string, Float32Array> = {};
  const ids = (rows: number) => (coll.rank === 0 ? BigInt64Array.from({ length: rows }, (_, i) => BigInt(i)) : new BigInt64Array(0));
  const res = await coll.lookup({ user: ids(50), tag: ids(20) });
  for (const n of ["user", "tag"]) out[n] = res.get(n).values.toArray() as Float32Array;
  res.dispose();
  return out;
}
