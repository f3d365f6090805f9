import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkPage, findChromium } from "./browser.js";
import { gmeta, tmp } from "./helpers.js";

const dir = tmp("demo");

describe("gmeta demo", () => {
  it("runs to the end at a small size on 2 ranks and writes the run folder", () => {
    const r = gmeta(["demo", "--small", "--out", dir]);
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    expect(r.stdout).toContain("cold-start AUC on held-out tasks");
    expect(r.stderr).toContain(`report with plots: ${join(dir, "run", "report.html")}`);
    for (const f of ["config.json", "metrics.jsonl", "summary.json", "report.md", "report.html"]) expect(existsSync(join(dir, "run", f)), f).toBe(true);
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

  it("gmeta report prints Markdown and the path of report.html", () => {
    const r = gmeta(["report", "--run", join(dir, "run")]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^# G-Meta run: MeLU, maml/);
    expect(r.stdout).toContain("| meta-learned, adapted on support |");
    expect(r.stdout).toContain("| oracle: the data's true click probabilities (all samples) |");
    expect(r.stdout).toContain(`report.html: ${join(dir, "run", "report.html")}`);
  });

  const chromium = findChromium();
  if (!chromium) console.info("report.html browser check skipped: no Chromium at /usr/bin/chromium (scripts/bootstrap installs Debian's chromium; or set GMETA_CHROMIUM)");
  it.skipIf(!chromium)("report.html loads offline in headless Chromium with no console errors, and every chart drew its marks", async () => {
    const html = readFileSync(join(dir, "run", "report.html"), "utf8");
    // Self-contained: nothing to fetch, no script.
    expect(html).not.toMatch(/<script|<link|src=|url\(/i);
    const page = await checkPage(chromium!, join(dir, "run", "report.html"));
    expect(page.problems).toEqual([]);
    console.info(`report.html charts (marks drawn): ${page.charts.map((c) => `${c.id} ${c.marks}`).join(", ")}`);
    expect(page.charts.map((c) => c.id)).toEqual(["query-loss", "support-loss", "throughput", "communication", "heldout-auc", "heldout-logloss"]);
    for (const c of page.charts) expect(c.marks, c.id).toBeGreaterThan(0);
    // Both phases' losses (a line per phase at least), four bars per held-out metric.
    for (const id of ["query-loss", "support-loss", "throughput"]) expect(page.charts.find((c) => c.id === id)!.marks, id).toBeGreaterThanOrEqual(2);
    expect(page.charts.find((c) => c.id === "heldout-auc")!.marks).toBe(8);
    expect(page.charts.find((c) => c.id === "heldout-logloss")!.marks).toBe(4);
    // The check itself sees errors, fetches and empty charts.
    const bad = join(dir, "bad.html");
    writeFileSync(bad, '<!doctype html><script>console.error("boom")</script><img src="http://127.0.0.1:9/x.png"><figure class="chart" id="empty"><svg></svg></figure>');
    const b = await checkPage(chromium!, bad);
    expect(b.problems.some((p) => p.includes("boom"))).toBe(true);
    expect(b.problems.some((p) => p.startsWith("request: http://127.0.0.1:9/x.png"))).toBe(true);
    expect(b.charts).toEqual([{ id: "empty", marks: 0 }]);
  }, 120_000);

  it("gmeta eval on 1 rank reloads the 2-rank checkpoint (resharded) and reproduces the run's held-out scores", () => {
    const r = gmeta(["eval", "--run", join(dir, "run"), "--data", join(dir, "data", "tasks", "test")]);
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const e = JSON.parse(readFileSync(join(dir, "run", "eval.json"), "utf8")) as { eval: { adapted: { auc: number }; unadapted: { auc: number } } };
    const s = JSON.parse(readFileSync(join(dir, "run", "summary.json"), "utf8")) as { phases: { eval: { adapted: { auc: number }; unadapted: { auc: number } } }[] };
    expect(Math.abs(e.eval.adapted.auc - s.phases[0]!.eval.adapted.auc)).toBeLessThan(1e-6);
    expect(Math.abs(e.eval.unadapted.auc - s.phases[0]!.eval.unadapted.auc)).toBeLessThan(1e-6);
  });
});
