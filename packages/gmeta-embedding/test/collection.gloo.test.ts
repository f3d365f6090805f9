// Real processes over Gloo on loopback: the sharded collection against the unsharded reference.
import { backends } from "@gmeta/tensor";
import { describe, expect, it } from "vitest";

import { launchRanks } from "./helpers/launchRanks.js";

describe("ShardedEmbeddingCollection on real processes (Gloo, loopback)", () => {
  for (const n of [2, 4]) {
    for (const strategy of ["table-wise", "row-wise"]) {
      it(`${n} ranks, ${strategy}: same lookups, rows and optimizer state as one table, for every optimizer`, async () => {
        const { result, out } = await launchRanks(n, "scenarioWorker.ts", [strategy]);
        expect(result.ranks.map((r) => r.code), out).toEqual(new Array(n).fill(0));
        expect(result.exitCode, out).toBe(0);
        for (let r = 0; r < n; r++) {
          for (const opt of ["sgd", "adagrad", "adagrad-rowwise", "adam"]) expect(out).toContain(`rank ${r}/${n} ${strategy} ${opt}: ok`);
        }
      });
    }
  }
});

const cuda = backends().cuda;
if (!cuda.available) console.info(`[gmeta-embedding tests] cuda: the Gloo run with rows on cuda:0 is skipped (${cuda.reason})`);
describe.runIf(cuda.available)("rows on a GPU over real Gloo processes", () => {
  for (const path of ["cuda:0"]) {
    it(`2 ranks, row-wise, ${path}: same lookups, rows and optimizer state as one table`, async () => {
      const { result, out } = await launchRanks(2, "scenarioWorker.ts", ["row-wise", path]);
      expect(result.exitCode, out).toBe(0);
      for (let r = 0; r < 2; r++) {
        for (const opt of ["sgd", "adagrad", "adagrad-rowwise", "adam"]) expect(out).toContain(`rank ${r}/2 row-wise ${opt}: ok`);
      }
    });
  }
});

describe("bad input on real processes", () => {
  it("a bad id on one rank fails every rank, with a message naming table and id", async () => {
    const { result, out } = await launchRanks(2, "badIdWorker.ts");
    expect(result.exitCode).not.toBe(0);
    expect(result.ranks.every((r) => r.code !== 0), out).toBe(true);
    expect(out).toContain('id 999 at position 1 is outside table "user" (rows [0, 50)');
    expect(out).toContain("rank 1 rejected its lookup input");
  });
});
