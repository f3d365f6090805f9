import { totalmem } from "node:os";
import { describe, expect, it } from "vitest";
import { DEFAULTS } from "../src/config.js";
import type { TrainConfig } from "../src/config.js";
import { embeddingBudget, planTables } from "../src/run/embeddingBudget.js";

const cfg = (over: Partial<TrainConfig> = {}): TrainConfig => ({ ...DEFAULTS, data: "d", out: "o", ...over });
const tables = (rows: number) => [
  { name: "item", rows, dim: 16 },
  { name: "category", rows: 100, dim: 16 },
];

describe("embedding memory is planned before allocation", () => {
  it("a table of 10M+ rows is planned row-wise across ranks and fits the budget", () => {
    const plan = planTables(cfg({ embeddingMemoryMiB: 1000 }), tables(12_000_000), 2, 2);
    const item = plan.tables.find((t) => t.table === "item")!;
    expect(item.strategy).toBe("row-wise");
    // Adagrad (the default) keeps 16 floats of state beside the 16 weights: 128 bytes a row, half the rows a rank.
    expect(Math.max(...plan.bytesPerRank)).toBeLessThanOrEqual(1000 * 2 ** 20);
    expect(plan.bytesPerRank[0]).toBeGreaterThan(6_000_000 * 128 - 1);
  });

  it("a plan over the budget is refused naming the table, its bytes and the budget", () => {
    expect(() => planTables(cfg({ embeddingMemoryMiB: 1000 }), tables(12_000_000), 1, 1)).toThrow(
      /table "item" \(1,536,000,000 bytes, table-wise\) does not fit: budget 1,048,576,000 bytes per rank.*; use more ranks, fewer hashBuckets or a smaller embeddingDim, or raise embeddingMemoryMiB/,
    );
  });

  it("by default a rank may hold 3/4 of the machine's memory over its local ranks; no host budget for rows on a GPU", () => {
    const one = embeddingBudget(cfg(), 1);
    expect(one).toBe(Math.floor(0.75 * totalmem()));
    expect(embeddingBudget(cfg(), 2)).toBe(Math.floor(one / 2));
    expect(embeddingBudget(cfg({ device: "cuda:0" }), 1)).toBe(Infinity);
    expect(embeddingBudget(cfg({ device: "cuda:0", embeddingMemoryMiB: 5 }), 4)).toBe(5 * 2 ** 20);
  });
});
