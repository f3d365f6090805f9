import { launch } from "@gmeta/collectives";
import { parse, reader, UsageError, printedHelp } from "../args.js";

export const LAUNCH_HELP = `gmeta launch: start N ranks of a command (torchrun-compatible environment)

Usage: gmeta launch --nproc N [--nnodes M --node-rank R --master HOST:PORT] -- <command> [args...]

Each rank gets RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT and
the job's store token; output is prefixed with the rank; signals are forwarded; when a rank
fails the others are stopped and the exit status names it.`;

export async function launchCommand(argv: string[]): Promise<number> {
  const dash = argv.indexOf("--");
  const own = dash >= 0 ? argv.slice(0, dash) : argv;
  const command = dash >= 0 ? argv.slice(dash + 1) : [];
  const { values } = parse("launch", own, {
    nproc: { type: "string" }, nnodes: { type: "string" }, "node-rank": { type: "string" }, master: { type: "string" },
  });
  if (printedHelp(values, LAUNCH_HELP)) return 0;
  if (command.length === 0) throw new UsageError("gmeta launch: expected a command after -- (see gmeta launch --help)");
  const r = reader("launch", values);
  const master = r.str("master");
  const res = await launch({
    nproc: r.int("nproc", 1, 1), nnodes: r.int("nnodes", 1, 1), nodeRank: r.int("node-rank", 0, 0), command,
    ...(master ? { master } : {}),
  });
  if (res.exitCode !== 0) process.stderr.write(`gmeta ${res.message}\n`);
  return res.exitCode;
}
