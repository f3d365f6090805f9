import type { Summary } from "../run/summary.js";
import { modelLine } from "../run/summary.js";
import { buildCharts } from "./charts.js";
import type { StepLine } from "./charts.js";

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const CSS = `
body { font: 14px/1.45 system-ui, sans-serif; color: #1b1e23; margin: 2em auto; max-width: 820px; padding: 0 1em; }
h1 { font-size: 1.4em; margin-bottom: 0.2em; } h2 { font-size: 1.1em; margin-top: 2em; }
.sub { color: #555; margin-top: 0; }
figure.chart { margin: 1.5em 0; } figure.chart > h3 { font-size: 1em; margin: 0 0 0.3em; }
figcaption { color: #555; font-size: 0.9em; margin-top: 0.3em; }
table { border-collapse: collapse; font-size: 0.92em; } td, th { padding: 2px 10px; border-bottom: 1px solid #e2e4e8; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
`;

/**
 * report.html of a run: one self-contained page (no script, no fetch: charts are SVG drawn by
 * Observable Plot when the report is written), with the Markdown summary's numbers, the
 * charts and the resolved config.
 */
export function formatHtmlReport(s: Summary, steps: StepLine[]): string {
  const charts = buildCharts(s, steps);
  const f = (x: number | undefined, d = 4) => (x === undefined || !Number.isFinite(x) ? "n/a" : x.toFixed(d));
  const phaseRows = s.phases.map((p) => `<tr><td>${p.phase === "meta" ? `meta-learned (${esc(p.algorithm)})` : "baseline"}</td><td class="num">${p.steps}</td><td class="num">${f(p.seconds, 1)}</td><td class="num">${f(p.samplesPerSec, 0)}</td><td class="num">${f(p.finalQueryLoss)}</td><td class="num">${(p.comm.allReduceBytesPerStep / 1024).toFixed(1)}</td><td class="num">${(p.comm.allToAllBytesPerStep / 1024).toFixed(1)}</td></tr>`);
  const config = Object.entries(s.config).map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(JSON.stringify(v))}</td></tr>`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(modelLine(s))}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${esc(modelLine(s))}</h1>
<p class="sub">${esc(s.createdBy)}, ${s.worldSize} rank(s)${s.oracleAuc !== undefined ? `, oracle AUC of the data ${f(s.oracleAuc)}` : ""}</p>
<h2>Training</h2>
<table><thead><tr><th>phase</th><th>steps</th><th>seconds</th><th>samples/s (median)</th><th>final query loss</th><th>AllReduce KiB/step</th><th>AlltoAllV KiB/step</th></tr></thead>
<tbody>${phaseRows.join("")}</tbody></table>
${charts.map((c) => `<figure class="chart" id="${c.id}" data-chart="${c.id}">\n<h3>${esc(c.title)}</h3>\n${c.html}\n<figcaption>${esc(c.caption)}</figcaption>\n</figure>`).join("\n")}
<h2>Resolved config</h2>
<table><tbody>${config.join("")}</tbody></table>
</body>
</html>
`;
}
