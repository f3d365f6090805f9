import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readRaw, splitTasks, synthesize } from "../src/index.js";
import { tmpDir } from "./tmpDir.js";

describe("splitTasks", () => {
  it("puts every task wholly in one side, loses nothing, and is seeded", async () => {
    const dir = tmpDir("split");
    const syn = await synthesize({ users: 300, items: 50, categories: 5, samplesPerUser: [3, 12], dense: 2, seed: 4, out: join(dir, "raw.arrow") });
    const res = await splitTasks({ input: syn.file, schema: syn.schema, train: join(dir, "train.arrow"), test: join(dir, "test.csv"), holdout: 0.25, seed: 9 });
    const keys = async (f: string) => {
      const m = new Map<bigint, number>();
      for await (const c of readRaw(f, syn.schema)) for (const k of c.task) m.set(k, (m.get(k) ?? 0) + 1);
      return m;
    };
    const all = await keys(syn.file);
    const train = await keys(join(dir, "train.arrow"));
    const test = await keys(join(dir, "test.csv"));
    expect(train.size + test.size).toBe(all.size);
    for (const [k, n] of all) expect(train.get(k) ?? test.get(k)).toBe(n);
    for (const k of test.keys()) expect(train.has(k)).toBe(false);
    expect(res.train.samples + res.test.samples).toBe(syn.samples);
    expect(res.test.tasks).toBe(test.size);
    // About a quarter held out (300 tasks: a loose band that a wrong hash would miss).
    expect(test.size / all.size).toBeGreaterThan(0.15);
    expect(test.size / all.size).toBeLessThan(0.35);
  });

  it("refuses a holdout outside (0, 1)", async () => {
    await expect(splitTasks({ input: "x.csv", schema: { taskKey: "u", label: "y", dense: [], sparse: [] }, train: "a.csv", test: "b.csv", holdout: 1 }))
      .rejects.toThrow("splitTasks: expected a fraction in (0, 1) for holdout, got 1");
  });
});
