import { explainFsError } from "@gmeta/io";
import { UsageError } from "./args.js";
import { Interrupted } from "./run/interrupt.js";
import { demoCommand } from "./commands/demo.js";
import { infoCommand } from "./commands/info.js";
import { launchCommand } from "./commands/launch.js";
import { prepareCommand } from "./commands/prepare.js";
import { reportCommand } from "./commands/report.js";
import { synthCommand } from "./commands/synth.js";
import { trainCommand } from "./commands/train.js";
import { evalCommand } from "./commands/eval.js";
import { benchCommand } from "./commands/bench.js";
import { predictCommand } from "./commands/predict.js";
import { cliVersion } from "./version.js";

export const HELP = `gmeta: distributed meta-learning for recommendation models (G-Meta)

Usage: gmeta <command> [options]    (gmeta <command> --help for its options)
       gmeta --version | -v

  demo      synthesize → prepare → meta-train on 2 local ranks → evaluate → report
  synth     write synthetic cold-start CTR data with task structure and its oracle AUC
  prepare   group raw samples by task into a Meta-IO dataset (support / query split)
  train     meta-train (MAML, FO-MAML, Meta-SGD) with sharded embeddings on N ranks
  eval      evaluate a run's checkpoint on held-out tasks
  predict   adapt on new users' labelled rows and score their candidates
  launch    start N ranks of any command with rendezvous, fail-fast and signal forwarding
  bench     the G-Meta step against the naive baseline, samples/s and traffic
  report    print a run's summary
  info      versions, devices and backends available here`;

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  demo: demoCommand, synth: synthCommand, prepare: prepareCommand, train: trainCommand, eval: evalCommand, predict: predictCommand,
  launch: launchCommand, bench: benchCommand, report: reportCommand, info: infoCommand,
};

/** Entry point of the `gmeta` command; returns the process exit code. */
export async function main(argv: string[], err: { write(s: string): unknown } = process.stderr): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === "--help" || cmd === "-h" || cmd === "help") {
    console.log(HELP);
    return cmd ? 0 : 2;
  }
  if (cmd === "--version" || cmd === "-v") {
    console.log(cliVersion());
    return 0;
  }
  const run = COMMANDS[cmd];
  if (!run) {
    err.write(`gmeta: unknown command ${JSON.stringify(cmd)}\n\n${HELP}\n`);
    return 2;
  }
  try {
    return await run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      err.write(`${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

/**
 * The whole command as the `gmeta` binary runs it: the exit code, with every failure printed
 * as one line (usage errors exit 2, an interrupt 130 / 143, anything else 1).
 */
export async function runCli(argv: string[], err: { write(s: string): unknown } = process.stderr): Promise<number> {
  try {
    return await main(argv, err);
  } catch (e) {
    if (e instanceof Interrupted) {
      err.write(`${e.message}\n`);
      return e.exitCode;
    }
    const x = explainFsError(e);
    const msg = x instanceof Error ? x.message : String(x);
    err.write(`${msg.startsWith("gmeta") ? msg : `gmeta: ${msg}`}\n`);
    if (process.env.GMETA_DEBUG && x instanceof Error) err.write(`${x.stack}\n`);
    return 1;
  }
}
