import { randomBytes } from "node:crypto";
import { hostname as osHostname } from "node:os";
import type { ArrayCollectives, Backend } from "./ArrayCollectives.js";
import { invalidArgument } from "./errors.js";
import { readLaunchEnv, type LaunchEnv } from "./launchEnv.js";
import { glooAddon, mpiAddon, mpiBuilt } from "./native/binding.js";
import { NativeArrayGroup } from "./NativeArrayGroup.js";
import { Heartbeat } from "./store/heartbeat.js";
import { StoreServer } from "./store/StoreServer.js";

/** Where ranks meet: the TCP store (default) or a FileStore folder on a shared filesystem. */
export type StoreOption = { kind: "tcp"; host?: string; port?: number } | { kind: "file"; path: string };

/** Options of initProcessGroup / initArrayGroup. */
export interface InitOptions {
  /** backend "nccl": this rank's GPU; cuda:(LOCAL_RANK mod device count) by default. */
  device?: `cuda:${number}`;
  /** Engine; by default MPI under mpirun when it was built, Gloo otherwise. */
  backend?: Backend;
  /** Timeout of rendezvous and of every blocking call (ms); GMETA_TIMEOUT_MS or 120 s. */
  timeoutMs?: number;
  store?: StoreOption;
  /** Address this rank's Gloo transport listens on; loopback for single-host jobs. */
  hostname?: string;
  /** The environment to read (process.env by default). */
  env?: NodeJS.ProcessEnv;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

/** The backend initProcessGroup picks when none is named. */
export function defaultBackend(launch: LaunchEnv): Backend {
  return launch.launchedBy === "mpirun" && mpiBuilt() ? "mpi" : "gloo";
}

/** Joins the job described by the environment and returns its typed-array collectives. */
export async function initArrayGroup(opts: InitOptions = {}): Promise<ArrayCollectives> {
  const env = opts.env ?? process.env;
  const launch = readLaunchEnv(env);
  const backend = opts.backend ?? defaultBackend(launch);
  const timeoutMs = opts.timeoutMs ?? (Number(env.GMETA_TIMEOUT_MS) || 120_000);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    throw invalidArgument("initProcessGroup", "a positive integer", "timeoutMs", timeoutMs);
  }
  watchLauncher(env);
  switch (backend) {
    case "gloo":
      return initGloo(launch, opts, timeoutMs);
    case "mpi":
      return initMpi(launch);
    case "nccl":
      throw new Error(
        'initArrayGroup: backend "nccl" works on CUDA tensors only; use initProcessGroup({ backend: "nccl" }), or "gloo" / "mpi" for host arrays',
      );
    default:
      throw invalidArgument("initProcessGroup", '"gloo", "mpi" or "nccl"', "backend", backend);
  }
}

async function initGloo(launch: LaunchEnv, opts: InitOptions, timeoutMs: number): Promise<ArrayCollectives> {
  const store = opts.store ?? { kind: "tcp" };
  const hostname = opts.hostname ?? (LOOPBACK.has(launch.masterAddr) ? "127.0.0.1" : osHostname());
  let server: StoreServer | undefined;
  let native;
  if (store.kind === "file") {
    native = await glooAddon().createGlooGroup({
      rank: launch.rank,
      size: launch.size,
      timeoutMs,
      hostname,
      filePath: store.path,
      jobId: launch.jobId,
    });
  } else {
    let token = launch.token;
    if (!token) {
      if (launch.size > 1) {
        throw new Error(
          "initProcessGroup: no job token; set GMETA_STORE_TOKEN to the same secret on every rank (the gmeta launcher does this)",
        );
      }
      token = randomBytes(16).toString("hex");
    }
    const host = store.host ?? launch.masterAddr;
    // A world of one needs no well-known port; a free one avoids clashing with other jobs.
    const port = store.port ?? (launch.size === 1 && launch.hostsStore ? 0 : launch.masterPort);
    if (launch.hostsStore) {
      // Bound to the master address, which is loopback unless the job spans hosts.
      server = await StoreServer.start({ token, host, port });
      // It serves the whole life of the process but must not keep a finished one alive.
      server.unref();
    }
    try {
      native = await glooAddon().createGlooGroup({
        rank: launch.rank,
        size: launch.size,
        timeoutMs,
        hostname,
        storeHost: host,
        storePort: server?.address.port ?? port,
        token,
        jobId: launch.jobId,
      });
    } catch (e) {
      await server?.close();
      throw explainRendezvous(e, launch.jobId);
    }
    if (launch.size > 1) {
      const beat = await Heartbeat.start({ host, port: server?.address.port ?? port, token, rank: launch.rank });
      return new NativeArrayGroup("gloo", native, () => beat.stop());
    }
  }
  // Rank 0's server outlives its own group (peers may still be reading keys or asking who
  // is gone); it goes with the process.
  return new NativeArrayGroup("gloo", native);
}

function initMpi(launch: LaunchEnv): ArrayCollectives {
  if (launch.launchedBy !== "mpirun") {
    throw new Error('initProcessGroup: backend "mpi" needs a process started by mpirun (OMPI_COMM_WORLD_RANK is not set)');
  }
  const addon = mpiAddon();
  return new NativeArrayGroup("mpi", addon.createMpiGroup(), () => addon.finalizeMpi());
}

// The store reports missing keys ("<jobId>/<rank>"); say which ranks never arrived.
function explainRendezvous(e: unknown, jobId: string): Error {
  const msg = e instanceof Error ? e.message : String(e);
  const m = /keys (.*?) missing after (\d+) ms/.exec(msg);
  if (!m) return e instanceof Error ? e : new Error(msg);
  const prefix = `${jobId}/`;
  const ranks = m[1]!.split(", ").filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
  if (!ranks.length) return e instanceof Error ? e : new Error(msg);
  return new Error(`initProcessGroup: rank${ranks.length > 1 ? "s" : ""} ${ranks.join(", ")} did not join within ${m[2]} ms (${msg})`);
}

let watching = false;

// A rank whose launcher died (SIGKILL leaves no chance to stop it) would live on as an
// orphan; it notices its parent change and exits.
function watchLauncher(env: NodeJS.ProcessEnv): void {
  if (watching || !env.GMETA_LAUNCHER_PID) return;
  watching = true;
  // The parent may be a shell wrapper rather than the launcher itself: watch whichever it is.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) {
      process.stderr.write(`gmeta: parent process ${parent} is gone; rank exits\n`);
      process.exit(1);
    }
  }, 1000).unref();
}
