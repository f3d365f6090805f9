import { existsSync } from "node:fs";
import { join } from "node:path";
import { launch } from "@gmeta/collectives";
import { parse, reader, UsageError } from "../args.js";
import { DEFAULTS, validateConfig } from "../config.js";
import { evalRank } from "../run/evalRank.js";
import { readJson, writeJson } from "../run/runFiles.js";

export const EVAL_HELP = `gmeta eval: evaluate a run's latest checkpoint on held-out tasks

Usage: gmeta eval --run RUN --data DIR [--nproc N] [--tasks-per-batch T] [--no-compile]

Adapts the meta-learned model on each task's support set (the run's inner steps and rate)
and scores the query set: AUC, GAUC and logloss, with and without adaptation.
Writes RUN/eval.json. The scoring is captured and replayed like training unless --no-compile.`;

export async function evalCommand(argv: string[]): Promise<number> {
  const { values } = parse("eval", argv, { run: { type: "string" }, data: { type: "string" }, nproc: { type: "string" }, "tasks-per-batch": { type: "string" }, "no-compile": { type: "boolean" } });
  if (values.help) {
    console.log(EVAL_HELP);
    return 0;
  }
  const r = reader("eval", values);
  const run = r.req("run");
  const data = r.req("data");
  if (!existsSync(join(run, "config.json"))) throw new UsageError(`gmeta eval: ${run}: not a run folder (no config.json)`);
  const nproc = r.int("nproc", 1, 1);
  // The run's config as trained; only the evaluation's own rank count differs.
  // Runs made before `compile` existed were trained eagerly; their config has no such key.
  const saved = { compile: DEFAULTS.compile, ...readJson<Record<string, unknown>>(join(run, "config.json")), out: run };
  const trained = validateConfig(saved, join(run, "config.json"));
  const cfg = { ...trained, nproc, compile: trained.compile && !r.flag("no-compile") };
  const T = r.int("tasks-per-batch", cfg.tasksPerBatch, 1);
  const isRank = process.env.RANK !== undefined;
  if (nproc > 1 && !isRank) {
    const res = await launch({ nproc, command: [process.execPath, ...process.execArgv, process.argv[1]!, "eval", ...argv] });
    if (res.exitCode !== 0) throw new Error(`evaluation failed: ${res.message}`);
  } else {
    const out = await evalRank(cfg, data, T);
    if (Number(process.env.RANK ?? 0) === 0) writeJson(join(run, "eval.json"), { data, ...out });
  }
  // Ranks of a launched job stay quiet; the launching process prints once.
  if (isRank) return 0;
  const res = readJson<{ checkpoint: string; eval: { adapted: Record<string, number>; unadapted: Record<string, number>; tasks: number; samples: number } }>(join(run, "eval.json"));
  const f = (x: number) => (Number.isNaN(x) ? "n/a" : x.toFixed(4));
  console.log(`${res.checkpoint}: ${res.eval.tasks} tasks, ${res.eval.samples} query samples`);
  for (const k of ["adapted", "unadapted"] as const) {
    const s = res.eval[k];
    console.log(`  ${k.padEnd(10)} AUC ${f(s.auc!)}  GAUC ${f(s.gauc!)}  logloss ${f(s.logloss!)}`);
  }
  return 0;
}
