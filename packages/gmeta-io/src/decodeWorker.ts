import { parentPort } from "node:worker_threads";
import { gatherTasks, type TaskRef } from "./gatherTasks.js";
import { batchBuffers } from "./metaBatch.js";
import { PartCache } from "./partCache.js";

/** A decode job sent to a worker. */
export interface DecodeJob {
  id: number;
  dir: string;
  files: string[];
  slotNames: string[];
  denseDim: number;
  tasks: TaskRef[];
  taskKeys: BigInt64Array;
}

// Worker entry: one part cache per worker; every batch goes back with its buffers transferred.
let cache: PartCache | null = null;
let cacheKey = "";

parentPort?.on("message", (job: DecodeJob) => {
  try {
    const key = job.dir;
    if (!cache || cacheKey !== key) {
      cache = new PartCache(job.dir, job.files, job.slotNames, job.denseDim);
      cacheKey = key;
    }
    const c = cache;
    const blocks = gatherTasks((p) => c.get(p), job.tasks, job.denseDim, job.slotNames.length);
    const result = { id: job.id, taskKeys: job.taskKeys, ...blocks };
    parentPort!.postMessage(result, batchBuffers(result));
  } catch (e) {
    parentPort!.postMessage({ id: job.id, error: (e as Error).message });
  }
});
