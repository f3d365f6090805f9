// The public ProcessGroup on @gmeta/tensor tensors, on 1 (the no-exchange path), 2 and 4 real processes.
import { describe, expect, it } from "vitest";
import { launchWorker, workerCommand } from "./helpers.js";

describe("ProcessGroup on tensors", () => {
  for (const n of [1, 2, 4]) {
    it(`${n} ranks: allReduce, allToAllV rows (uneven, zero), allGather(V), broadcast`, async () => {
      const { result, out } = await launchWorker(n, workerCommand("tensorWorker.ts"));
      expect(result.exitCode, out).toBe(0);
      for (let r = 0; r < n; r++) expect(out).toContain(`rank ${r}/${n}: tensor collectives ok`);
    });
  }
});
