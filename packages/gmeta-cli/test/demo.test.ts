import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { gmeta, tmp } from "./helpers.js";

const dir = tmp("demo");

describe("gmeta demo", () => {
  it("runs to the end at a small size on 2 ranks and writes the run folder", () => {
    const r = gmeta(["demo", "--small", "--out", dir]);
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    expect(r.stdout).toContain("cold-start AUC on held-out tasks");
    for (const f of ["config.json", "metrics.jsonl", "summary.json", "report.md"]) expect(existsSync(join(dir, "run", f)), f).toBe(true);
    const s = JSON.parse(readFileSync(join(dir, "run", "summary.json"), "utf8")) as { worldSize: number; phases: { eval: { adapted: { auc: number } } }[]; oracleAuc: number };
    expect(s.worldSize).toBe(2);
    expect(s.phases).toHaveLength(2);
    expect(s.phases[0]!.eval.adapted.auc).toBeGreaterThan(0.5);
    expect(s.oracleAuc).toBeGreaterThan(s.phases[0]!.eval.adapted.auc);
    const lines = readFileSync(join(dir, "run", "metrics.jsonl"), "utf8").trim().split("\n");
    expect(lines.length).toBeGreaterThan(10);
    const m = JSON.parse(lines[0]!) as { allReduce: { calls: number }; allToAll: { calls: number } };
    // The G-Meta step: one AllReduce and three AlltoAllV (lookup ids, rows back, gradients) per step.
    expect(m.allReduce.calls).toBe(1);
    expect(m.allToAll.calls).toBe(3);
  });

  it("gmeta eval on 1 rank reloads the 2-rank checkpoint (resharded) and reproduces the run's held-out scores", () => {
    const r = gmeta(["eval", "--run", join(dir, "run"), "--data", join(dir, "data", "tasks", "test")]);
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const e = JSON.parse(readFileSync(join(dir, "run", "eval.json"), "utf8")) as { eval: { adapted: { auc: number }; unadapted: { auc: number } } };
    const s = JSON.parse(readFileSync(join(dir, "run", "summary.json"), "utf8")) as { phases: { eval: { adapted: { auc: number }; unadapted: { auc: number } } }[] };
    expect(Math.abs(e.eval.adapted.auc - s.phases[0]!.eval.adapted.auc)).toBeLessThan(1e-6);
    expect(Math.abs(e.eval.unadapted.auc - s.phases[0]!.eval.unadapted.auc)).toBeLessThan(1e-6);
  });
});
