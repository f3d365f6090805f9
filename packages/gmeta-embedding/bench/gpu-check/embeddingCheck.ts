// The embedding half of the GPU check (scripts/gpu-check.sh): the sharded collection with its
// rows on the device, in-process ranks, every optimizer, against the unsharded host table;
// the same scenario the test suite runs (test/helpers/scenario.ts), here on a GPU. Plus the
// fused sparse update's bandwidth against a device memcpy of the same bytes.
import { copyInto, empty, rand, tidy } from "@gmeta/tensor";
import type { Device, Tensor } from "@gmeta/tensor";

import { createLocalExchanges } from "../../src/exchange/LocalExchange.js";
import { resolveOptimizer } from "../../src/optim/SparseOptimizer.js";
import type { SparseOptimizerConfig } from "../../src/optim/SparseOptimizer.js";
import { RowShard } from "../../src/RowShard.js";
import { resolveTable } from "../../src/TableConfig.js";
import { runScenario } from "../../test/helpers/scenario.js";

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

const OPTIMIZERS: SparseOptimizerConfig[] = [
  { kind: "sgd", lr: 0.1 },
  { kind: "adagrad", lr: 0.1 },
  { kind: "adagrad", lr: 0.1, rowWise: true },
  { kind: "adam", lr: 0.05 },
];

/** Collection on `device` vs the unsharded host reference, 1 and 2 in-process ranks. */
export async function embeddingCheck(device: Device): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const world of [1, 2]) {
    for (const optimizer of OPTIMIZERS) {
      const label = `${optimizer.kind}${"rowWise" in optimizer && optimizer.rowWise ? "-rowwise" : ""}`;
      const name = `collection on ${device}, ${world} rank(s), row-wise, ${label}`;
      try {
        const reports = await Promise.all(
          createLocalExchanges(world).map((g) => runScenario(g, { strategy: "row-wise", optimizer, steps: 4, device })),
        );
        const worst = Math.max(...reports.flatMap((r) => [r.worstLookupDiff, r.worstRowDiff, r.worstStateDiff]));
        const exact = reports.every((r) => r.firstLookupDiff === 0);
        const calls = reports.every((r) => r.allToAllCalls === 8 && r.updateAllToAllCalls === 4 && r.requested === r.uniqueLocal);
        out.push({ name, ok: worst < 2e-6 && exact && calls, detail: `max|diff| ${worst.toExponential(2)}${exact ? "" : ", first lookup not bit-exact"}${calls ? "" : ", wrong exchange counts"}` });
      } catch (e) {
        out.push({ name, ok: false, detail: (e as Error).message.split("\n")[0]! });
      }
    }
  }
  return out;
}

/**
 * Fused element-wise Adagrad on `n` unique rows of a [rows, dim] table on `device`: GB/s of
 * the bytes it must move (gradient read, weights and state read and written) against a
 * device memcpy of as many bytes, both timed by `time` (the check's clock). One row of the
 * benchmark table.
 */
export function sparseUpdateBench(
  device: Device, rows: number, n: number, dim: number, time: (fn: () => void, reps: number) => number,
): [string, string, string, string] {
  const table = resolveTable("bench", { name: "t", rows, dim, init: "zeros" });
  const shard = new RowShard(table, resolveOptimizer("bench", { kind: "adagrad", lr: 0.01 }), 0, rows, device);
  try {
    return tidy(() => {
      // Unique rows spread over the table (a stride co-prime with rows).
      const index = Int32Array.from({ length: n }, (_, i) => (i * 7919) % rows);
      const grads: Tensor = rand([n, dim], { device });
      const bytes = 5 * n * dim * 4;
      const tUpdate = time(() => shard.apply(index, grads, true), 20);
      const src = rand([bytes / 8], { device });
      const dst = empty([bytes / 8], { device });
      // A copy reads and writes: bytes / 2 floats' worth each way is `bytes` moved.
      const tCopy = time(() => copyInto(dst, src), 20);
      const ours = bytes / tUpdate / 1e9;
      const ref = bytes / tCopy / 1e9;
      return [`fused Adagrad ${n}×${dim} rows GB/s`, ours.toFixed(1), `${ref.toFixed(1)} (device memcpy)`, (ours / ref).toFixed(2)];
    });
  } finally {
    shard.dispose();
  }
}
