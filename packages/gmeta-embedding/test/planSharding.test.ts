// Pure planner tests: no native code, no processes.
import { describe, expect, it } from "vitest";

import { bytesPerRow, planSharding } from "../src/plan/planSharding.js";
import { validatePlan } from "../src/plan/validatePlan.js";
import { resolveTables } from "../src/TableConfig.js";

const eight = Array.from({ length: 8 }, (_, i) => ({ name: `t${i}`, rows: 1000 * (i + 1), dim: 16 }));

describe("planSharding", () => {
  it("balances table-wise tables by bytes", () => {
    const plan = planSharding({ tables: eight, worldSize: 4 });
    expect(plan.tables.every((t) => t.strategy === "table-wise")).toBe(true);
    const total = eight.reduce((a, t) => a + t.rows * 64, 0);
    expect(plan.bytesPerRank.reduce((a, b) => a + b, 0)).toBe(total);
    // Greedy largest-first on 1..8 thousand rows gives a 9,000-row spread at most 1,000 rows wide.
    expect(Math.max(...plan.bytesPerRank) - Math.min(...plan.bytesPerRank)).toBeLessThanOrEqual(1000 * 64);
    expect(plan.tables.map((t) => t.table)).toEqual(eight.map((t) => t.name));
  });

  it("shards a table larger than a fair share row-wise, in contiguous blocks", () => {
    const plan = planSharding({ tables: [{ name: "big", rows: 10, dim: 4 }, { name: "small", rows: 2, dim: 4 }], worldSize: 4 });
    const big = plan.tables[0]!;
    expect(big.strategy).toBe("row-wise");
    expect(big.blockRows).toBe(3);
    expect(big.shards).toEqual([
      { rank: 0, rowStart: 0, rowCount: 3 },
      { rank: 1, rowStart: 3, rowCount: 3 },
      { rank: 2, rowStart: 6, rowCount: 3 },
      { rank: 3, rowStart: 9, rowCount: 1 },
    ]);
    expect(plan.tables[1]!.strategy).toBe("table-wise");
    expect(plan.tables[1]!.shards[0]!.rank).toBe(3); // the least-loaded rank
  });

  it("keeps everything table-wise on one rank", () => {
    const plan = planSharding({ tables: eight, worldSize: 1 });
    expect(plan.tables.every((t) => t.strategy === "table-wise" && t.shards[0]!.rank === 0)).toBe(true);
  });

  it("obeys pins and forced strategies", () => {
    const plan = planSharding({
      tables: eight,
      worldSize: 2,
      constraints: { t7: { rank: 1 }, t6: { rank: 1 }, t0: { strategy: "row-wise" } },
    });
    const by = new Map(plan.tables.map((t) => [t.table, t]));
    expect(by.get("t7")!.shards).toEqual([{ rank: 1, rowStart: 0, rowCount: 8000 }]);
    expect(by.get("t6")!.shards[0]!.rank).toBe(1);
    expect(by.get("t0")!.strategy).toBe("row-wise");
    const forced = planSharding({ tables: [{ name: "a", rows: 10, dim: 2 }, { name: "b", rows: 1, dim: 2 }], worldSize: 2, constraints: { a: { strategy: "table-wise" } } });
    expect(forced.tables[0]!.strategy).toBe("table-wise");
  });

  it("counts optimizer state in the bytes", () => {
    expect(bytesPerRow(16)).toBe(64);
    expect(bytesPerRow(16, { kind: "adam", lr: 1 })).toBe(64 * 3);
    expect(bytesPerRow(16, { kind: "adagrad", lr: 1, rowWise: true })).toBe(68);
    const plan = planSharding({ tables: [{ name: "a", rows: 10, dim: 16 }], worldSize: 1, optimizer: { kind: "adam", lr: 1 } });
    expect(plan.bytesPerRank).toEqual([1920]);
  });

  it("falls back to row-wise under a budget and says why a table cannot fit", () => {
    const tables = [{ name: "emb", rows: 1000, dim: 16 }];
    const fits = planSharding({ tables, worldSize: 4, memoryPerRank: 16_000 });
    expect(fits.tables[0]!.strategy).toBe("row-wise");
    // Table-wise would fit nowhere under this budget, so the planner falls back to row-wise.
    const three = ["a", "b", "c"].map((name) => ({ name, rows: 624, dim: 16 }));
    const fallback = planSharding({ tables: three, worldSize: 2, memoryPerRank: 60_000 });
    expect(fallback.tables.map((t) => t.strategy)).toEqual(["table-wise", "table-wise", "row-wise"]);
    expect(fallback.bytesPerRank).toEqual([59_904, 59_904]);
    expect(() => planSharding({ tables, worldSize: 4, memoryPerRank: 15_000 })).toThrow(
      'planSharding: table "emb" (64,000 bytes, row-wise 16,000 bytes on rank 0) does not fit: budget 15,000 bytes per rank, rank 0 already holds 0 bytes',
    );
    expect(() => planSharding({ tables, worldSize: 4, memoryPerRank: 20_000, constraints: { emb: { strategy: "table-wise" } } })).toThrow(
      /table "emb" \(64,000 bytes, table-wise\) does not fit: budget 20,000 bytes per rank, the least-loaded rank holds 0 bytes; row-wise sharding may fit/,
    );
    expect(() => planSharding({ tables: eight, worldSize: 2, memoryPerRank: 900_000, constraints: { t7: { rank: 0 }, t6: { rank: 0 } } })).toThrow(
      /table "t6" \(448,000 bytes, table-wise\) does not fit: budget 900,000 bytes per rank, pinned rank 0 holds 512,000 bytes/,
    );
  });

  it("rejects bad inputs by name", () => {
    expect(() => planSharding({ tables: eight, worldSize: 0 })).toThrow(/expected a positive integer for worldSize, got number 0/);
    expect(() => planSharding({ tables: eight, worldSize: 2, constraints: { nope: { rank: 0 } } })).toThrow(/"nope", which is not a table/);
    expect(() => planSharding({ tables: eight, worldSize: 2, constraints: { t1: { rank: 2 } } })).toThrow(/rank in \[0, 2\) for constraints\["t1"\].rank/);
    expect(() => planSharding({ tables: eight, worldSize: 2, constraints: { t1: { rank: 0, strategy: "row-wise" } } })).toThrow(/no rank pin on a row-wise table/);
    expect(() => planSharding({ tables: [{ name: "a", rows: 1, dim: 1 }, { name: "a", rows: 1, dim: 1 }], worldSize: 2 })).toThrow(/unique table names/);
  });

  it("validatePlan accepts planner output and names what a bad plan gets wrong", () => {
    const tables = resolveTables("t", [{ name: "a", rows: 10, dim: 4 }, { name: "b", rows: 3, dim: 4 }]);
    const plan = planSharding({ tables, worldSize: 2, constraints: { a: { strategy: "row-wise" } } });
    expect(validatePlan("x", plan, tables, 2).size).toBe(2);
    expect(() => validatePlan("x", plan, tables, 4)).toThrow("x: bad plan: made for world size 2, but the process group has 4 ranks");
    const broken = structuredClone(plan);
    broken.tables[0]!.shards[1]!.rowCount = 6;
    expect(() => validatePlan("x", broken, tables, 2)).toThrow(/table "a" shard 1 covers rows \[5, 11\), expected blocks of 5 from row 5/);
    broken.tables[0]!.shards[1]!.rowCount = 4;
    expect(() => validatePlan("x", broken, tables, 2)).toThrow(/table "a" shards cover 9 of 10 rows/);
    const other = resolveTables("t", [{ name: "a", rows: 11, dim: 4 }, { name: "b", rows: 3, dim: 4 }]);
    expect(() => validatePlan("x", plan, other, 2)).toThrow(/table "a" is 10×4 in the plan but 11×4 in the config/);
  });
});
