import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { launch } from "@gmeta/collectives";
import { checkWritableTarget, formatOf, writeScores } from "@gmeta/io";
import { parse, printedHelp, reader, UsageError } from "../args.js";
import { status } from "../progress.js";
import { predictRank } from "../run/predictRank.js";
import { isLaunchedRank, launchEnv } from "../run/rankEnv.js";
import { readChecked, runConfigFile } from "../run/runFiles.js";
import { trainConfigSchema } from "../schemas/trainConfig.js";

export const PREDICT_HELP = `gmeta predict: score new users' candidate items with a trained run

Usage: gmeta predict --run RUN --input FILE --out FILE [--no-adapt] [--no-compile] [--nproc N] [--tasks-per-batch T]

FILE holds rows in the training data's raw schema (CSV, Arrow IPC or Parquet). Per task key,
the rows that carry a label (the user's few known interactions) adapt the meta-learned model
with the run's inner loop (its steps and rate); the rows whose label is empty (null or NaN)
are the candidates, and each gets a score. Writes one row per candidate: task key, row (its
1-based row in FILE) and score, as CSV, Arrow or Parquet by the extension of --out.

  --run RUN               a finished (or checkpointed) run folder
  --input FILE            rows to adapt on and to score
  --out FILE              scores (.csv, .arrow or .parquet)
  --no-adapt              score with the meta-parameters as they are (no inner loop)
  --no-compile            score eagerly (the reference path) instead of replaying captured programs
  --nproc N               ranks on this machine (default 1)
  --tasks-per-batch T     tasks per step on each rank (default: the run's tasksPerBatch / nproc)`;

export async function predictCommand(argv: string[]): Promise<number> {
  const { values } = parse("predict", argv, {
    run: { type: "string" }, input: { type: "string" }, out: { type: "string" }, "no-adapt": { type: "boolean" }, "no-compile": { type: "boolean" },
    nproc: { type: "string" }, "tasks-per-batch": { type: "string" },
  });
  if (printedHelp(values, PREDICT_HELP)) return 0;
  const r = reader("predict", values);
  const run = r.req("run");
  const input = r.req("input");
  const out = r.req("out");
  const file = runConfigFile("predict", run);
  if (!existsSync(input)) throw new UsageError(`gmeta predict: --input ${input}: no such file`);
  try {
    formatOf(input);
    formatOf(out);
  } catch (e) {
    throw new UsageError(`gmeta predict: ${(e as Error).message.replace(/; pass format.*$/, "")} (use .csv, .arrow or .parquet)`);
  }
  if (resolve(out) === resolve(input)) throw new UsageError(`gmeta predict: expected an --out other than the input, got ${out}`);
  // The output's folder is checked before any work (a full or read-only disk is named then, not at the end).
  checkWritableTarget(out);
  const nproc = r.int("nproc", 1, 1);
  const trained = readChecked(file, trainConfigSchema);
  const cfg = { ...trained, out: run, nproc, compile: trained.compile && !r.flag("no-compile") };
  const T = r.int("tasks-per-batch", Math.max(1, Math.floor(trained.tasksPerBatch / nproc)), 1);
  const adapt = !r.flag("no-adapt");
  const isRank = isLaunchedRank();
  if (nproc > 1 && !isRank) {
    const res = await launch({ nproc, command: [process.execPath, ...process.execArgv, process.argv[1]!, "predict", ...argv] });
    if (res.exitCode !== 0) throw new Error(`prediction failed: ${res.message}`);
    return 0;
  }
  const res = await predictRank(cfg, input, adapt, T);
  if (res.scores) {
    await writeScores(out, res.scores);
    if (!isRank || launchEnv().rank === 0) {
      status(`${res.checkpoint}: scored ${res.scores.score.length} candidates of ${res.tasks} tasks (${adapt ? `${res.adaptedTasks} adapted on their labelled rows` : "not adapted"}) -> ${out}`);
    }
  }
  return 0;
}
