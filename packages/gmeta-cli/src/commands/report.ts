import { existsSync } from "node:fs";
import { join } from "node:path";
import { parse, reader, UsageError, printedHelp } from "../args.js";
import { readChecked } from "../run/runFiles.js";
import { summarySchema } from "../schemas/runFiles.js";
import { formatReport } from "../run/summary.js";
import type { Summary } from "../run/summary.js";
import { writeReports } from "../report/writeReports.js";

export const REPORT_HELP = `gmeta report: print a run's summary as Markdown and the path of its report.html

Usage: gmeta report --run RUN [--json]

Writes RUN/report.md and RUN/report.html again from summary.json and metrics.jsonl
(report.html is one self-contained page with the run's charts; it loads nothing).
  --json    print summary.json instead`;

export async function reportCommand(argv: string[]): Promise<number> {
  const { values } = parse("report", argv, { run: { type: "string" }, json: { type: "boolean" } });
  if (printedHelp(values, REPORT_HELP)) return 0;
  const run = reader("report", values).req("run");
  const file = join(run, "summary.json");
  if (!existsSync(file)) throw new UsageError(`gmeta report: ${file}: no summary (has the run finished?)`);
  const s = readChecked(file, summarySchema) as unknown as Summary;
  if (values.json) {
    console.log(JSON.stringify(s, null, 2));
    return 0;
  }
  const html = writeReports(run, s);
  console.log(formatReport(s));
  console.log("");
  console.log(`report.html: ${html}`);
  return 0;
}
