import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { constants } from "node:os";
import { invalidArgument } from "../errors.js";
import { StoreServer } from "../store/StoreServer.js";
import { prefixLines } from "./prefixLines.js";

/** Options of launch(). */
export interface LaunchOptions {
  /** Ranks started on this node. */
  nproc: number;
  nnodes?: number;
  nodeRank?: number;
  /** "host:port" of the store; node 0 hosts it there. Default "127.0.0.1:0" (a free port). */
  master?: string;
  /** The program of every rank: [file, ...args]. */
  command: readonly string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Time between TERM and KILL when stopping ranks (ms, default 5000). */
  graceMs?: number;
  /** Shared secret of the store; required (or GMETA_STORE_TOKEN) when nnodes > 1. */
  token?: string;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** Aborting stops every rank as a forwarded SIGTERM would. */
  signal?: AbortSignal;
}

/** How one rank ended. */
export interface RankExit {
  rank: number;
  pid: number | undefined;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** How the job ended: exitCode 0 when every rank exited 0, else the first failure's. */
export interface LaunchResult {
  exitCode: number;
  /** The first rank that failed, when one did. */
  failedRank?: number;
  /** One line for the user, naming the failed rank and its exit status. */
  message: string;
  ranks: RankExit[];
}

const FORWARDED: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/**
 * Starts nproc ranks of command on this node with torchrun-compatible variables, hosts the
 * rendezvous store on node 0, prefixes output with the rank, forwards signals, and when one
 * rank fails stops the others (TERM, then KILL after graceMs). Resolves once all have exited.
 * @example const r = await launch({ nproc: 2, command: ["node", "train.js"] }); process.exitCode = r.exitCode;
 */
export async function launch(opts: LaunchOptions): Promise<LaunchResult> {
  const nproc = opts.nproc;
  const nnodes = opts.nnodes ?? 1;
  const nodeRank = opts.nodeRank ?? 0;
  if (!Number.isInteger(nproc) || nproc < 1) throw invalidArgument("launch", "a positive integer", "nproc", nproc);
  if (!Number.isInteger(nnodes) || nnodes < 1) throw invalidArgument("launch", "a positive integer", "nnodes", nnodes);
  if (!Number.isInteger(nodeRank) || nodeRank < 0 || nodeRank >= nnodes) {
    throw invalidArgument("launch", `an integer in [0, ${nnodes})`, "nodeRank", nodeRank);
  }
  if (!Array.isArray(opts.command) || opts.command.length === 0) {
    throw invalidArgument("launch", "a non-empty [file, ...args] array", "command", opts.command);
  }
  const [host, portText] = splitHostPort(opts.master ?? "127.0.0.1:0");
  let port = Number(portText);
  const baseEnv = opts.env ?? process.env;
  let token = opts.token ?? baseEnv.GMETA_STORE_TOKEN;
  if (!token) {
    if (nnodes > 1) throw new Error("launch: a job on several nodes needs the same token on each: pass token or set GMETA_STORE_TOKEN");
    token = randomBytes(24).toString("hex");
  }
  if (nnodes > 1 && port === 0) throw new Error("launch: a job on several nodes needs a fixed master port");
  const jobId = baseEnv.GMETA_JOB_ID || createHash("sha256").update(token).digest("hex").slice(0, 16);

  const store = nodeRank === 0 ? await StoreServer.start({ token, host, port }) : undefined;
  if (store) port = store.address.port;

  const out = opts.stdout ?? process.stdout;
  const err = opts.stderr ?? process.stderr;
  const world = nproc * nnodes;
  const children: Array<{ rank: number; child: ChildProcess; done: Promise<RankExit> }> = [];
  let firstFailure: RankExit | undefined;
  let interrupted: NodeJS.Signals | undefined;
  let stopping = false;
  let killTimer: NodeJS.Timeout | undefined;

  const signalAll = (sig: NodeJS.Signals) => {
    for (const { child } of children) {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) continue;
      // Each rank leads its own process group, so wrappers' children get the signal too.
      try {
        process.kill(-child.pid, sig);
      } catch {
        // already gone
      }
    }
  };
  const stopAll = () => {
    if (stopping) return;
    stopping = true;
    signalAll("SIGTERM");
    killTimer = setTimeout(() => signalAll("SIGKILL"), opts.graceMs ?? 5000);
  };
  const onSignal = (sig: NodeJS.Signals) => {
    interrupted ??= sig;
    signalAll(sig);
    stopAll();
  };
  for (const s of FORWARDED) process.on(s, onSignal);
  const onAbort = () => onSignal("SIGTERM");
  opts.signal?.addEventListener("abort", onAbort, { once: true });

  try {
    for (let local = 0; local < nproc && !interrupted; local++) {
      const rank = nodeRank * nproc + local;
      const child = spawn(opts.command[0]!, opts.command.slice(1), {
        cwd: opts.cwd,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
        env: {
          ...baseEnv,
          RANK: String(rank),
          WORLD_SIZE: String(world),
          LOCAL_RANK: String(local),
          LOCAL_WORLD_SIZE: String(nproc),
          GROUP_RANK: String(nodeRank),
          MASTER_ADDR: host,
          MASTER_PORT: String(port),
          GMETA_STORE_TOKEN: token,
          GMETA_JOB_ID: jobId,
          GMETA_LAUNCHER_PID: String(process.pid),
        },
      });
      const streams = Promise.all([
        prefixLines(child.stdout!, out, `[rank ${rank}] `),
        prefixLines(child.stderr!, err, `[rank ${rank}] `),
      ]);
      const exited = new Promise<RankExit>((resolve) => {
        child.on("error", (e) => {
          err.write(`[launch] rank ${rank}: cannot start ${opts.command[0]}: ${e.message}\n`);
          resolve({ rank, pid: child.pid, code: 127, signal: null });
        });
        child.on("exit", (code, signal) => resolve({ rank, pid: child.pid, code, signal }));
      });
      const done = Promise.all([exited, streams]).then(([e]) => {
        if ((e.code !== 0 || e.signal) && !firstFailure && !stopping) {
          firstFailure = e;
          stopAll();
        }
        return e;
      });
      children.push({ rank, child, done });
    }
    const ranks = await Promise.all(children.map((c) => c.done));
    return summarize(ranks, firstFailure, interrupted);
  } finally {
    if (killTimer) clearTimeout(killTimer);
    for (const s of FORWARDED) process.off(s, onSignal);
    opts.signal?.removeEventListener("abort", onAbort);
    await store?.close();
  }
}

function splitHostPort(master: string): [string, string] {
  const cut = master.lastIndexOf(":");
  if (cut <= 0 || !/^\d+$/.test(master.slice(cut + 1))) throw invalidArgument("launch", '"host:port"', "master", master);
  return [master.slice(0, cut).replace(/^\[|\]$/g, ""), master.slice(cut + 1)];
}

function describeExit(e: RankExit): string {
  return e.signal ? `was killed by ${e.signal}` : `exited with status ${e.code}`;
}

function summarize(ranks: RankExit[], failure: RankExit | undefined, interrupted: NodeJS.Signals | undefined): LaunchResult {
  if (interrupted) {
    const code = 128 + (constants.signals[interrupted] ?? 1);
    return { exitCode: code, message: `launch: interrupted by ${interrupted}; all ranks stopped`, ranks };
  }
  if (!failure) return { exitCode: 0, message: `launch: all ${ranks.length} ranks exited 0`, ranks };
  const exitCode = failure.signal ? 128 + (constants.signals[failure.signal] ?? 1) : failure.code || 1;
  return {
    exitCode,
    failedRank: failure.rank,
    message: `launch: rank ${failure.rank} ${describeExit(failure)}; the other ranks were stopped`,
    ranks,
  };
}
