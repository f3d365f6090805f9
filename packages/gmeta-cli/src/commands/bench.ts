import { join, resolve } from "node:path";
import { parse, reader, printedHelp } from "../args.js";
import { DEFAULTS, validateConfig } from "../config.js";
import type { TrainConfig } from "../config.js";
import { writeJson } from "../run/runFiles.js";
import type { Summary } from "../run/summary.js";
import { checkBackend, checkDevice, launchTrain, runTrainHere } from "./train.js";

export const BENCH_HELP = `gmeta bench: the G-Meta step against the naive (DMAML-style) baseline

Usage: gmeta bench --data DIR [--out DIR] [--nproc N] [--steps S] [--tasks-per-batch T] [--inner-steps K]
                   [--device cpu|cuda|cuda:N] [--backend gloo|mpi|nccl] [--no-compile]

Trains the same model for S steps with each strategy on the same batches and prints the
median samples/s of each (first step excluded), their ratio, and the collectives per step.
Both run the compiled learner step unless --no-compile is given. The compiled trainer against
the eager one and PyTorch over many shapes is \`npm run bench:trainer -w @gmeta/maml\`.`;

export async function benchCommand(argv: string[]): Promise<number> {
  const { values } = parse("bench", argv, {
    data: { type: "string" }, out: { type: "string" }, nproc: { type: "string" }, steps: { type: "string" },
    "tasks-per-batch": { type: "string" }, "inner-steps": { type: "string" }, device: { type: "string" }, backend: { type: "string" },
    "no-compile": { type: "boolean" },
  });
  if (printedHelp(values, BENCH_HELP)) return 0;
  const r = reader("bench", values);
  const out = resolve(r.str("out", "gmeta-bench")!);
  const base = {
    ...DEFAULTS, data: r.req("data"), nproc: r.int("nproc", 2, 1), maxSteps: r.int("steps", 20, 2), epochs: 100,
    tasksPerBatch: r.int("tasks-per-batch", 32, 1), innerSteps: r.int("inner-steps", 1, 0), baseline: false, eval: null,
    device: r.str("device", "cpu")!, backend: r.str("backend", "gloo")!, compile: !r.flag("no-compile"),
  };
  const results: Record<string, Summary> = {};
  for (const strategy of ["gmeta", "naive"] as const) {
    const cfg: TrainConfig = validateConfig({ ...base, strategy, out: join(out, strategy) }, "flags", "bench");
    checkDevice(cfg.device, "bench");
    checkBackend(cfg.backend, "bench");
    const file = join(out, `${strategy}.json`);
    writeJson(file, cfg);
    results[strategy] = cfg.nproc > 1 ? await launchTrain(cfg, ["train", "--config", file, "--overwrite"]) : (await runTrainHere(cfg, false, true))!;
  }
  const g = results.gmeta!.phases[0]!;
  const n = results.naive!.phases[0]!;
  const row = (name: string, p: typeof g) =>
    `${name.padEnd(8)} ${p.samplesPerSec.toFixed(0).padStart(10)} ${p.tasksPerSec.toFixed(1).padStart(9)} ${p.comm.allReducePerStep.toFixed(1).padStart(10)} ${p.comm.allToAllPerStep.toFixed(1).padStart(10)} ${(p.comm.allToAllBytesPerStep / 1024).toFixed(1).padStart(12)}`;
  console.log(`\nG-Meta step vs naive baseline on ${base.device}: ${base.nproc} rank(s), ${base.tasksPerBatch} tasks/step, ${base.innerSteps} inner step(s), ${base.maxSteps} steps each`);
  console.log(`strategy  samples/s   tasks/s  AllReduce  AlltoAllV  A2A KiB/step`);
  console.log(row("gmeta", g));
  console.log(row("naive", n));
  console.log(`speed-up (gmeta / naive samples/s, medians): ${(g.samplesPerSec / n.samplesPerSec).toFixed(2)}x`);
  return 0;
}
