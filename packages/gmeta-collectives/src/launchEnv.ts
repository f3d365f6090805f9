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

/**
 * Reads torchrun variables (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR,
 * MASTER_PORT), then OMPI_COMM_WORLD_*, then SLURM_PROCID / SLURM_NTASKS; a process with
 * none of them is rank 0 of 1.
 */
export function readLaunchEnv(env: NodeJS.ProcessEnv = process.env): LaunchEnv {
  let launchedBy: LaunchedBy = "none";
  let rank: number | undefined;
  let size: number | undefined;
  let localRank: number | undefined;
  let localSize: number | undefined;
  if (int(env.RANK) !== undefined && int(env.WORLD_SIZE) !== undefined) {
    launchedBy = env.GMETA_LAUNCHER_PID ? "gmeta" : env.TORCHELASTIC_RUN_ID ? "torchrun" : "env";
    rank = int(env.RANK);
    size = int(env.WORLD_SIZE);
    localRank = int(env.LOCAL_RANK);
    localSize = int(env.LOCAL_WORLD_SIZE);
  } else if (int(env.OMPI_COMM_WORLD_RANK) !== undefined) {
    launchedBy = "mpirun";
    rank = int(env.OMPI_COMM_WORLD_RANK);
    size = int(env.OMPI_COMM_WORLD_SIZE);
    localRank = int(env.OMPI_COMM_WORLD_LOCAL_RANK);
    localSize = int(env.OMPI_COMM_WORLD_LOCAL_SIZE);
  } else if (int(env.SLURM_PROCID) !== undefined) {
    launchedBy = "slurm";
    rank = int(env.SLURM_PROCID);
    size = int(env.SLURM_NTASKS);
    localRank = int(env.SLURM_LOCALID);
    localSize = int(env.SLURM_NTASKS_PER_NODE);
  }
  rank ??= 0;
  size ??= 1;
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
