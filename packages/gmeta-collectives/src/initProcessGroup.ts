import { initArrayGroup, type InitOptions } from "./initArrayGroup.js";
import { initNccl } from "./nccl/initNccl.js";
import { TensorProcessGroup, type ProcessGroup } from "./ProcessGroup.js";

/**
 * Joins the job described by the environment (torchrun, gmeta launch, mpirun or SLURM) and
 * returns its tensor process group. Backend "nccl" needs a CUDA GPU and NCCL
 * (GMETA_NCCL_PATH or libnccl.so.2) and throws naming whichever is missing.
 * @example const pg = await initProcessGroup({ backend: "gloo" }); await pg.allReduce(grad, "mean");
 */
export async function initProcessGroup(opts: InitOptions = {}): Promise<ProcessGroup> {
  if (opts.backend === "nccl") {
    const env = opts.env ?? process.env;
    const timeoutMs = opts.timeoutMs ?? (Number(env.GMETA_TIMEOUT_MS) || 120_000);
    return initNccl(opts, timeoutMs);
  }
  return new TensorProcessGroup(await initArrayGroup(opts));
}
