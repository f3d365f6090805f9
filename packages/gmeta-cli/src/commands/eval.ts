import { join } from "node:path";
import { launch } from "@gmeta/collectives";
import { parse, printedHelp, reader } from "../args.js";
import { evalRank, preflightEval } from "../run/evalRank.js";
import { Interrupted } from "../run/interrupt.js";
import { isLaunchedRank, launchEnv } from "../run/rankEnv.js";
import { readChecked, runConfigFile, writeJson } from "../run/runFiles.js";
import { evalFileSchema } from "../schemas/runFiles.js";
import { trainConfigSchema } from "../schemas/trainConfig.js";

export const EVAL_HELP = `gmeta eval: evaluate a run's latest checkpoint on held-out tasks

Usage: gmeta eval --run RUN --data DIR [--nproc N] [--tasks-per-batch T] [--no-compile]

Adapts the meta-learned model on each task's support set (the run's inner steps and rate)
and scores the query set: AUC, GAUC and logloss, with and without adaptation.
Writes RUN/eval.json; a refused evaluation writes nothing.`;

export async function evalCommand(argv: string[]): Promise<number> {
  const { values } = parse("eval", argv, { run: { type: "string" }, data: { type: "string" }, nproc: { type: "string" }, "tasks-per-batch": { type: "string" }, "no-compile": { type: "boolean" } });
  if (printedHelp(values, EVAL_HELP)) return 0;
  const r = reader("eval", values);
  const run = r.req("run");
  const data = r.req("data");
  const file = runConfigFile("eval", run);
  const env = launchEnv();
  const launched = isLaunchedRank(env);
  const nproc = launched ? env.size : r.int("nproc", 1, 1);
  // The run's config as trained; only the evaluation's own rank count differs.
  const trained = readChecked(file, trainConfigSchema);
  const cfg = { ...trained, out: run, nproc, compile: trained.compile && !r.flag("no-compile") };
  const T = r.int("tasks-per-batch", trained.tasksPerBatch, 1);
  if (nproc > 1 && !launched) {
    await preflightEval(cfg, data, T, nproc);
    const res = await launch({ nproc, command: [process.execPath, ...process.execArgv, process.argv[1]!, "eval", ...argv] });
    const interrupted = /interrupted by (SIG\w+)/.exec(res.message);
    if (interrupted) throw new Interrupted(interrupted[1] as NodeJS.Signals, `gmeta eval: interrupted by ${interrupted[1]}; nothing was written`);
    if (res.exitCode !== 0) throw new Error(`evaluation failed: ${res.message}`);
  } else {
    const out = await evalRank(cfg, data, T);
    if (env.rank === 0) writeJson(join(run, "eval.json"), { data, ...out });
  }
  // Ranks of a launched job stay quiet; the launching process prints once.
  if (launched) return 0;
  const res = readChecked(join(run, "eval.json"), evalFileSchema);
  const f = (x: number | null) => (x === null || Number.isNaN(x) ? "n/a" : x.toFixed(4));
  console.log(`${res.checkpoint}: ${res.eval.tasks} tasks, ${res.eval.samples} query samples`);
  for (const k of ["adapted", "unadapted"] as const) {
    const s = res.eval[k];
    console.log(`  ${k.padEnd(10)} AUC ${f(s.auc)}  GAUC ${f(s.gauc)}  logloss ${f(s.logloss)}`);
  }
  return 0;
}
