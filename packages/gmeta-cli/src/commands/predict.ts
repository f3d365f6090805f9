import { existsSync } from "node:fs";
import { resolve, join } from "node:path";
import { launch } from "@gmeta/collectives";
import { formatOf, writeScores } from "@gmeta/io";
import { parse, reader, UsageError } from "../args.js";
import { validateConfig } from "../config.js";
import { status } from "../progress.js";
import { predictRank } from "../run/predictRank.js";
import { readJson } from "../run/runFiles.js";

export const PREDICT_HELP = `gmeta predict: score new users' candidate items with a trained run

Usage: gmeta predict --run RUN --input FILE --out FILE [--no-adapt] [--nproc N] [--tasks-per-batch T]

FILE holds rows in the training data's raw schema (CSV, Arrow IPC or Parquet). Per task key,
the rows that carry a label (the user's few known interactions) adapt the meta-learned model
with the run's inner loop (its steps and rate); the rows whose label is empty (null or NaN)
are the candidates, and each gets a score. Writes one row per candidate: task key, row (its
1-based row in FILE) and score, as CSV, Arrow or Parquet by the extension of --out.

  --run RUN               a finished (or checkpointed) run folder
  --input FILE            rows to adapt on and to score
  --out FILE              scores (.csv, .arrow or .parquet)
  --no-adapt              score with the meta-parameters as they are (no inner loop)
  --nproc N               ranks on this machine (default 1)
  --tasks-per-batch T     tasks per step on each rank (default: the run's tasksPerBatch / nproc)`;

export async function predictCommand(argv: string[]): Promise<number> {
  const { values } = parse("predict", argv, {
    run: { type: "string" }, input: { type: "string" }, out: { type: "string" }, "no-adapt": { type: "boolean" },
    nproc: { type: "string" }, "tasks-per-batch": { type: "string" },
  });
  if (values.help) {
    console.log(PREDICT_HELP);
    return 0;
  }
  const r = reader("predict", values);
  const run = r.req("run");
  const input = r.req("input");
  const out = r.req("out");
  if (!existsSync(join(run, "config.json"))) throw new UsageError(`gmeta predict: ${run}: not a run folder (no config.json)`);
  if (!existsSync(input)) throw new UsageError(`gmeta predict: --input ${input}: no such file`);
  try {
    formatOf(input);
    formatOf(out);
  } catch (e) {
    throw new UsageError(`gmeta predict: ${(e as Error).message.replace(/; pass format.*$/, "")} (use .csv, .arrow or .parquet)`);
  }
  if (resolve(out) === resolve(input)) throw new UsageError(`gmeta predict: expected an --out other than the input, got ${out}`);
  const nproc = r.int("nproc", 1, 1);
  const trained = validateConfig({ ...readJson<Record<string, unknown>>(join(run, "config.json")), out: run }, join(run, "config.json"), "predict");
  const cfg = { ...trained, nproc };
  const T = r.int("tasks-per-batch", Math.max(1, Math.floor(trained.tasksPerBatch / nproc)), 1);
  const adapt = !r.flag("no-adapt");
  const isRank = process.env.RANK !== undefined;
  if (nproc > 1 && !isRank) {
    const res = await launch({ nproc, command: [process.execPath, ...process.execArgv, process.argv[1]!, "predict", ...argv] });
    if (res.exitCode !== 0) throw new Error(`prediction failed: ${res.message}`);
    return 0;
  }
  const res = await predictRank(cfg, input, adapt, T);
  if (res.scores) {
    await writeScores(out, res.scores);
    if (!isRank || Number(process.env.RANK) === 0) {
      status(`${res.checkpoint}: scored ${res.scores.score.length} candidates of ${res.tasks} tasks (${adapt ? `${res.adaptedTasks} adapted on their labelled rows` : "not adapted"}) -> ${out}`);
    }
  }
  return 0;
}
