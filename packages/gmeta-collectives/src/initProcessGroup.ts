import { initArrayGroup, type InitOptions } from "./initArrayGroup.js";
import { TensorProcessGroup, type ProcessGroup } from "./ProcessGroup.js";

/**
 * Joins the job described by the environment (torchrun, gmeta launch, mpirun or SLURM) and
 * returns its tensor process group.
 * @example const pg = await initProcessGroup({ backend: "gloo" }); await pg.allReduce(grad, "mean");
 */
export async function initProcessGroup(opts: InitOptions = {}): Promise<ProcessGroup> {
  return new TensorProcessGroup(await initArrayGroup(opts));
}
