import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import type { Scores, StepMetrics } from "@gmeta/maml";
import type { Summary } from "../run/summary.js";

/** One line of metrics.jsonl: a step's metrics and the phase they belong to. */
export type StepLine = { phase: "meta" | "baseline" } & Pick<StepMetrics, "step" | "queryLoss" | "supportLoss" | "samplesPerSec" | "allReduce" | "allToAll">;

/** A chart of the report: its title, what it shows, and its SVG (with Plot's legend), rendered here. */
export interface Chart {
  id: string;
  title: string;
  caption: string;
  html: string;
}

const PHASE = { meta: "meta-learned", baseline: "baseline (no meta-learning)" } as const;
const WIDTH = 760;

// Plot draws into a DOM; on the server linkedom stands in for the browser's, and the charts
// leave as markup: the page needs no script and loads nothing.
function render(options: Plot.PlotOptions): string {
  const { document } = parseHTML("<!doctype html><html><body></body></html>");
  const node = Plot.plot({ marginLeft: 60, marginRight: 20, ...options, document, width: WIDTH, style: { fontSize: "12px", background: "white" } } as Plot.PlotOptions);
  return (node as unknown as { outerHTML: string }).outerHTML;
}

const finite = (x: number | undefined): x is number => x !== undefined && Number.isFinite(x);
// Steps are whole numbers: no ticks between them on short runs.
const STEP_AXIS = { label: "step", tickFormat: (d: number) => (Number.isInteger(d) ? String(d) : "") };

// Per-step values are noisy (each step sees other tasks): a faint line per step and a
// centred moving mean over about a twentieth of the run on top.
function window(n: number): number {
  return Math.max(1, Math.round(n / 20));
}

function trend(data: Record<string, unknown>[], x: string, y: string, series: string, k: number): Plot.Markish[] {
  return [
    Plot.lineY(data, { x, y, stroke: series, strokeOpacity: k > 1 ? 0.3 : 1, strokeWidth: 1 }),
    ...(k > 1 ? [Plot.lineY(data, Plot.windowY({ k, reduce: "mean" }, { x, y, stroke: series, strokeWidth: 2.2 }))] : []),
  ];
}

function lossChart(steps: StepLine[], key: "queryLoss" | "supportLoss", id: string, title: string, caption: string): Chart | null {
  const data = steps.filter((s) => finite(s[key])).map((s) => ({ step: s.step, loss: s[key], phase: PHASE[s.phase] }));
  if (!data.length) return null;
  const k = window(data.length / 2);
  return {
    id, title, caption: k > 1 ? `${caption} Faint: each step; bold: mean of ${k} steps.` : caption,
    html: render({
      height: 280, grid: true, color: { legend: true, domain: Object.values(PHASE) },
      x: STEP_AXIS, y: { label: "mean BCE loss" },
      marks: trend(data, "step", "loss", "phase", k),
    }),
  };
}

/** The report's charts from a run's summary and its per-step metrics. */
export function buildCharts(s: Summary, steps: StepLine[]): Chart[] {
  const charts: Chart[] = [];
  const add = (c: Chart | null) => c && charts.push(c);
  add(lossChart(steps, "queryLoss", "query-loss", "Query loss per step",
    "Meta-learned: loss on each task's query set after adapting on its support set. Baseline: loss on the query samples of the same tasks, no adaptation."));
  add(lossChart(steps, "supportLoss", "support-loss", "Support loss per step",
    "Loss on the support sets before the inner loop adapts to them."));
  const rate = steps.filter((x) => finite(x.samplesPerSec)).map((x) => ({ step: x.step, rate: x.samplesPerSec, phase: PHASE[x.phase] }));
  if (rate.length) {
    const k = window(rate.length / 2);
    charts.push({
      id: "throughput", title: "Samples per second per step",
      caption: `Support + query samples over all ${s.worldSize} rank(s), each step timed on rank 0 (the first step includes warm-up).${k > 1 ? ` Faint: each step; bold: mean of ${k} steps.` : ""}`,
      html: render({
        height: 260, grid: true, color: { legend: true, domain: Object.values(PHASE) }, x: STEP_AXIS, y: { label: "samples/s", zero: true },
        marks: [...trend(rate, "step", "rate", "phase", k), Plot.ruleY([0])],
      }),
    });
  }
  const comm = steps.flatMap((x) => [
    { step: x.step, kib: x.allReduce.bytes / 1024, op: "AllReduce", phase: PHASE[x.phase] },
    { step: x.step, kib: x.allToAll.bytes / 1024, op: "AlltoAllV", phase: PHASE[x.phase] },
  ]).filter((d) => finite(d.kib));
  if (comm.length) {
    charts.push({
      id: "communication", title: "Communication per step",
      caption: "KiB per step that rank 0 handed to each collective: dense gradients (AllReduce) and embedding ids, rows and gradients (AlltoAllV). With one rank they stay in the process.",
      html: render({
        // One panel per phase: their traffic is often the same and would hide one another.
        height: 340, marginRight: 180, grid: true, color: { legend: true, domain: ["AllReduce", "AlltoAllV"] }, x: STEP_AXIS, y: { label: "KiB sent", zero: true },
        fy: { label: null, domain: Object.values(PHASE).filter((p) => comm.some((d) => d.phase === p)) },
        marks: [Plot.lineY(comm, { x: "step", y: "kib", stroke: "op", fy: "phase", strokeWidth: 1.5 }), Plot.ruleY([0])],
      }),
    });
  }
  const rows: { variant: string; metric: string; value: number }[] = [];
  const push = (variant: string, sc: Scores | undefined) => {
    if (!sc) return;
    for (const metric of ["auc", "gauc", "logloss"] as const) if (finite(sc[metric])) rows.push({ variant, metric, value: sc[metric] });
  };
  const meta = s.phases.find((p) => p.phase === "meta")?.eval;
  const base = s.phases.find((p) => p.phase === "baseline")?.eval;
  push("meta-learned, adapted", meta?.adapted);
  push("meta-learned, not adapted", meta?.unadapted);
  push("baseline, fine-tuned", base?.adapted);
  push("baseline, as trained", base?.unadapted);
  const variants = [...new Set(rows.map((r) => r.variant))];
  const ranking = rows.filter((r) => r.metric !== "logloss").map((r) => ({ ...r, metric: r.metric.toUpperCase() }));
  if (ranking.length) {
    const oracle = finite(s.oracleAuc) ? [s.oracleAuc] : [];
    charts.push({
      id: "heldout-auc", title: "Held-out AUC and GAUC",
      caption: `Cold-start tasks never seen in training (${meta?.tasks ?? base?.tasks ?? 0} tasks).${oracle.length ? ` Dashed line (AUC panel): AUC of the data's true click probabilities (the oracle, ${s.oracleAuc!.toFixed(4)}).` : ""}`,
      html: render({
        height: 300, marginBottom: 40, fx: { label: null, domain: ["AUC", "GAUC"] }, x: { axis: null, domain: variants }, y: { domain: [0, 1], grid: true, label: "score" },
        color: { legend: true, domain: variants },
        marks: [
          Plot.barY(ranking, { fx: "metric", x: "variant", y: "value", fill: "variant", title: (d: { variant: string; value: number }) => `${d.variant}: ${d.value.toFixed(4)}` }),
          Plot.text(ranking, { fx: "metric", x: "variant", y: "value", text: (d: { value: number }) => d.value.toFixed(3), dy: -8 }),
          // The oracle is an AUC: drawn in the AUC panel only.
          ...(oracle.length ? [Plot.ruleY([{ metric: "AUC", y: oracle[0] }], { fx: "metric", y: "y", stroke: "black", strokeDasharray: "4,3" })] : []),
          Plot.ruleY([0.5], { stroke: "gray", strokeOpacity: 0.5 }),
        ],
      }),
    });
  }
  const ll = rows.filter((r) => r.metric === "logloss");
  if (ll.length) {
    charts.push({
      id: "heldout-logloss", title: "Held-out logloss",
      caption: "Mean BCE on the held-out query sets (lower is better).",
      html: render({
        height: 220, marginLeft: 170, marginRight: 70, x: { grid: true, label: "logloss", zero: true }, y: { label: null, domain: variants }, color: { domain: variants },
        marks: [
          Plot.barX(ll, { y: "variant", x: "value", fill: "variant" }),
          Plot.text(ll, { y: "variant", x: "value", text: (d: { value: number }) => d.value.toFixed(4), dx: 24 }),
          Plot.ruleX([0]),
        ],
      }),
    });
  }
  return charts;
}
