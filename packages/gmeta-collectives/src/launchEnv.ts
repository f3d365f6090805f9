import { createHash } from "node:crypto";

/** Where a rank learned its place in the job. */
export type LaunchedBy = "gmeta" | "torchrun" | "env" | "mpirun" | "slurm" | "none";

/** A rank's view of its job, read from the environment. */
export interface LaunchEnv {
  rank: number;
  size: number;
  localRank: number;
  localSize: number;
  masterAddr: string;
  masterPort: number;
  /** Shared secret the store demands; undefined when nothing in the environment gives one. */
  token: string | undefined;
  /** Names this job's keys in a shared store and its FileStore folder. */
  jobId: string;
  launchedBy: LaunchedBy;
  /** Whether this process must host the store (no launcher hosts it). */
  hostsStore: boolean;
}

const int = (v: string | undefined): number | undefined => {
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  return Number.isInteger(n) ? n : undefined;
};

/** The variables of each kind of launcher, tried in this order. */
const LAUNCHERS: readonly { by: (env: NodeJS.ProcessEnv) => LaunchedBy; rank: string; size: string; localRank: string; localSize: string; needsSize?: boolean }[] = [
  {
    by: (env) => (env.GMETA_LAUNCHER_PID ? "gmeta" : env.TORCHELASTIC_RUN_ID ? "torchrun" : "env"),
    rank: "RANK", size: "WORLD_SIZE", localRank: "LOCAL_RANK", localSize: "LOCAL_WORLD_SIZE", needsSize: true,
  },
  { by: () => "mpirun", rank: "OMPI_COMM_WORLD_RANK", size: "OMPI_COMM_WORLD_SIZE", localRank: "OMPI_COMM_WORLD_LOCAL_RANK", localSize: "OMPI_COMM_WORLD_LOCAL_SIZE" },
  { by: () => "slurm", rank: "SLURM_PROCID", size: "SLURM_NTASKS", localRank: "SLURM_LOCALID", localSize: "SLURM_NTASKS_PER_NODE" },
];

/**
 * Reads torchrun variables (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR,
 * MASTER_PORT), then OMPI_COMM_WORLD_*, then SLURM_PROCID / SLURM_NTASKS; a process with
 * none of them is rank 0 of 1.
 */
export function readLaunchEnv(env: NodeJS.ProcessEnv = process.env): LaunchEnv {
  const found = LAUNCHERS.find((l) => int(env[l.rank]) !== undefined && (!l.needsSize || int(env[l.size]) !== undefined));
  const launchedBy: LaunchedBy = found ? found.by(env) : "none";
  const rank = int(found && env[found.rank]) ?? 0;
  const size = int(found && env[found.size]) ?? 1;
  const localRank = int(found && env[found.localRank]);
  const localSize = int(found && env[found.localSize]);
  if (rank < 0 || size < 1 || rank >= size) {
    throw new Error(`initProcessGroup: rank ${rank} does not fit world size ${size} (launched by ${launchedBy})`);
  }
  // Launchers other than ours share no secret with the ranks; fall back to the job's own id,
  // which every rank sees and outsiders on the host usually do not.
  const jobKey =
    env.TORCHELASTIC_RUN_ID ??
    (env.SLURM_JOB_ID ? `slurm-${env.SLURM_JOB_ID}-${env.SLURM_STEP_ID ?? "0"}` : undefined) ??
    env.OMPI_MCA_ess_base_jobid ??
    env.OMPI_MCA_orte_ess_jobid;
  const token = env.GMETA_STORE_TOKEN || jobKey;
  const jobId = env.GMETA_JOB_ID || (jobKey ? createHash("sha256").update(jobKey).digest("hex").slice(0, 16) : "job");
  // torchrun's own store owns MASTER_PORT, so ours takes the next port there.
  const basePort = int(env.MASTER_PORT) ?? 29500;
  const masterPort = int(env.GMETA_STORE_PORT) ?? (launchedBy === "torchrun" ? basePort + 1 : basePort);
  return {
    rank,
    size,
    localRank: localRank ?? rank,
    localSize: localSize ?? size,
    masterAddr: env.MASTER_ADDR || "127.0.0.1",
    masterPort,
    token,
    jobId,
    launchedBy,
    hostsStore: !env.GMETA_LAUNCHER_PID && rank === 0,
  };
}
