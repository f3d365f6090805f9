// Every operation and dtype on 2 and 4 real processes over loopback, checked by each rank
// against the result computed from all ranks' seeded inputs (test/workers/collectivesWorker.ts).
import { describe, expect, it } from "vitest";
import { launchWorker, workerCommand } from "./helpers.js";

describe("GlooProcessGroup over loopback", () => {
  it("2 ranks: every op and dtype, sizes 0/1/prime, uneven and zero splits, and 16M float32", async () => {
    const { result, out } = await launchWorker(2, workerCommand("collectivesWorker.ts", "--big"));
    expect(result.exitCode, out).toBe(0);
    expect(result.ranks.map((r) => r.code)).toEqual([0, 0]);
    expect(out).toContain("rank 0/2 gloo: 107 checks ok");
    expect(out).toContain("rank 1/2 gloo: 107 checks ok");
  });

  it("4 ranks: every op and dtype", async () => {
    const { result, out } = await launchWorker(4, workerCommand("collectivesWorker.ts"));
    expect(result.exitCode, out).toBe(0);
    expect(result.ranks.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    for (let r = 0; r < 4; r++) expect(out).toContain(`rank ${r}/4 gloo: 106 checks ok`);
  });
});
