import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse, reader, printedHelp } from "../args.js";
import { DEFAULTS, validateConfig } from "../config.js";
import { status } from "../progress.js";
import { readChecked, writeJson } from "../run/runFiles.js";
import { summarySchema } from "../schemas/runFiles.js";
import { formatReport } from "../run/summary.js";
import type { Summary } from "../run/summary.js";
import { runPrepare } from "./prepare.js";
import { writeReports } from "../report/writeReports.js";
import { runSynth } from "./synth.js";
import { checkPlacement, launchTrain, runTrainHere } from "./train.js";
import { syntheticSchema } from "@gmeta/io";

export const DEMO_HELP = `gmeta demo: the whole job end to end on an embedded default

Usage: gmeta demo [--out DIR] [--nproc N] [--small] [--device D] [--backend B]

Synthesizes cold-start CTR data (users are tasks), holds out 20% of the users, prepares
both sets, meta-trains a MeLU-style model with second-order MAML on N local ranks (Gloo,
sharded embeddings), trains the same model without meta-learning, and reports cold-start
AUC on the held-out users against the oracle AUC of the data; it ends by naming the run's
report.html (loss, throughput, communication and held-out AUC charts).

  --out DIR     where data and the run go (default gmeta-demo)
  --nproc N     ranks (default 2)
  --small       a smaller data set and fewer steps (a quick check)
  --device D    cpu | cuda | cuda:N: where the meta-step and embedding rows live (default cpu)
  --backend B   gloo | nccl (default gloo; nccl needs --device cuda)`;

export async function demoCommand(argv: string[]): Promise<number> {
  const { values } = parse("demo", argv, {
    out: { type: "string" }, nproc: { type: "string" }, small: { type: "boolean" }, device: { type: "string" }, backend: { type: "string" },
  });
  if (printedHelp(values, DEMO_HELP)) return 0;
  const r = reader("demo", values);
  const out = resolve(r.str("out", "gmeta-demo")!);
  const nproc = r.int("nproc", 2, 1);
  const small = r.flag("small");
  const device = r.str("device", "cpu")!;
  const backend = r.str("backend", "gloo")!;
  // Settings are checked before any data is written.
  const probe = validateConfig({ ...DEFAULTS, data: "-", out: "-", device, backend }, "flags", "demo");
  checkPlacement(probe, "demo");
  mkdirSync(out, { recursive: true });
  const t0 = performance.now();
  status(`[1/4] synthesizing cold-start CTR data into ${join(out, "data")}`);
  const syn = await runSynth({
    out: join(out, "data", "raw.arrow"), users: small ? 600 : 4000, items: small ? 200 : 800, categories: small ? 10 : 24,
    samplesPerUser: small ? [6, 40] : [8, 80], dense: 4, seed: 1,
  });
  status(`[2/4] preparing tasks (20% of users held out for cold-start evaluation)`);
  const prep = await runPrepare({
    input: [syn.file], out: join(out, "data", "tasks"), schema: syntheticSchema(4), schemaName: "synthetic:4", query: 0.5,
    minSupport: 3, minQuery: 2, memoryMiB: 256, holdout: 0.2, seed: 1, overwrite: true,
  });
  const cfg = validateConfig({
    ...DEFAULTS, data: prep.train, eval: prep.test!, out: join(out, "run"), nproc,
    // MeLU with its dense layers adapted per user: the configuration that the held-out
    // comparison in the tests pins down (see test/learning.test.ts).
    model: "melu", embeddingDim: 8, adapt: "dense",
    tasksPerBatch: small ? 16 : 32, epochs: small ? 2 : 4, innerSteps: 1, innerLr: 0.5, outerLr: 0.003, seed: 1,
    device: probe.device, backend: probe.backend,
  }, "demo");
  const cfgFile = join(out, "train-config.json");
  writeJson(cfgFile, cfg);
  status(`[3/4] meta-training on ${nproc} rank(s) (then the non-meta baseline)`);
  let summary: Summary | null;
  if (nproc > 1) {
    summary = await launchTrain(cfg, ["train", "--config", cfgFile, "--overwrite"]);
  } else {
    summary = await runTrainHere(cfg, false, true);
  }
  summary = { ...(summary ?? (readChecked(join(cfg.out, "summary.json"), summarySchema) as unknown as Summary)), oracleAuc: syn.oracleAuc };
  writeJson(join(cfg.out, "summary.json"), summary);
  const html = writeReports(cfg.out, summary);
  status(`[4/4] report (${((performance.now() - t0) / 1000).toFixed(0)} s in all)`);
  console.log(formatReport(summary));
  status(`run folder: ${cfg.out}`);
  status(`report with plots: ${html}`);
  return 0;
}
