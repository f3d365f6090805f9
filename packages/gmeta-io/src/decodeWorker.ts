import { parentPort } from "node:worker_threads";
import { gatherTasks } from "./gatherTasks.js";
import { PartCache } from "./partCache.js";

/** A decode job sent to a worker. */
export interface DecodeJob {
  id: number;
  dir: string;
  files: string[];
  slotNames: string[];
  denseDim: number;
  /** Flat task list, TASK_FIELDS numbers per task. */
  tasks: Int32Array;
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
    const batch = gatherTasks((p) => c.get(p), job.tasks, job.taskKeys, job.denseDim, job.slotNames.length);
    parentPort!.postMessage({ id: job.id, ...batch }, [batch.taskKeys.buffer as ArrayBuffer]);
  } catch (e) {
    parentPort!.postMessage({ id: job.id, error: (e as Error).message });
  }
});
