import { existsSync } from "node:fs";
import { join } from "node:path";
import { parse, reader, UsageError } from "../args.js";
import { readChecked } from "../run/runFiles.js";
import { summarySchema } from "../schemas/runFiles.js";
import { formatReport } from "../run/summary.js";
import type { Summary } from "../run/summary.js";

export const REPORT_HELP = `gmeta report: print a run's summary

Usage: gmeta report --run RUN [--json]`;

export async function reportCommand(argv: string[]): Promise<number> {
  const { values } = parse("report", argv, { run: { type: "string" }, json: { type: "boolean" } });
  if (values.help) {
    console.log(REPORT_HELP);
    return 0;
  }
  const run = reader("report", values).req("run");
  const file = join(run, "summary.json");
  if (!existsSync(file)) throw new UsageError(`gmeta report: ${file}: no summary (has the run finished?)`);
  const s = readChecked(file, summarySchema) as unknown as Summary;
  console.log(values.json ? JSON.stringify(s, null, 2) : formatReport(s));
  return 0;
}
