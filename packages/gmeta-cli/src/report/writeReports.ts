import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { writeAtomic } from "../run/runFiles.js";
import { formatReport } from "../run/summary.js";
import type { Summary } from "../run/summary.js";
import type { StepLine } from "./charts.js";
import { formatHtmlReport } from "./html.js";

/** The per-step metrics of a run folder (empty when there are none). */
export function readSteps(run: string): StepLine[] {
  const file = join(run, "metrics.jsonl");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as StepLine);
}

/** Writes report.md and report.html of a run folder; returns the path of report.html. */
export function writeReports(run: string, s: Summary): string {
  writeAtomic(join(run, "report.md"), `${formatReport(s)}\n`);
  const html = resolve(run, "report.html");
  writeAtomic(html, formatHtmlReport(s, readSteps(run)));
  return html;
}
