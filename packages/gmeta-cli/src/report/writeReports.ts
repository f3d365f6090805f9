import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { explainFsError, parseJsonText, parseWith } from "@gmeta/io";
import { writeAtomic } from "../run/runFiles.js";
import { metricsLineSchema } from "../schemas/runFiles.js";
import { formatReport } from "../run/summary.js";
import type { Summary } from "../run/summary.js";
import type { StepLine } from "./charts.js";
import { formatHtmlReport } from "./html.js";

/** The per-step metrics of a run folder (empty when there are none). */
export function readSteps(run: string): StepLine[] {
  const file = join(run, "metrics.jsonl");
  if (!existsSync(file)) return [];
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw explainFsError(e, file, "read the metrics");
  }
  // Each line is checked like every file read back; a damaged one is named by its line.
  return text.split("\n").flatMap((l, i) => {
    if (!l.trim()) return [];
    const where = `${file}, line ${i + 1}`;
    return [parseWith(metricsLineSchema, parseJsonText(l, where), where) as unknown as StepLine];
  });
}

/** Writes report.md and report.html of a run folder; returns the path of report.html. */
export function writeReports(run: string, s: Summary): string {
  writeAtomic(join(run, "report.md"), `${formatReport(s)}\n`);
  const html = resolve(run, "report.html");
  writeAtomic(html, formatHtmlReport(s, readSteps(run)));
  return html;
}
