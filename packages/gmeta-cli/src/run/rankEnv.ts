import { readLaunchEnv, type LaunchEnv } from "@gmeta/collectives";

/** This process's place in its job, as @gmeta/collectives reads it from the launcher's environment. */
export function launchEnv(): LaunchEnv {
  return readLaunchEnv();
}

/** Whether this process is one rank of a launched job (gmeta launch, torchrun, mpirun, Slurm). */
export function isLaunchedRank(env: LaunchEnv = readLaunchEnv()): boolean {
  return env.launchedBy !== "none";
}
