import { parentPort } from "node:worker_threads";
import { batchLayout } from "./batchLayout.js";
import { gatherTasks } from "./gatherTasks.js";
import { PartCache } from "./partCache.js";

/** What a worker needs once: where the parts are and their layout. */
export interface DecodeSetup {
  dir: string;
  files: string[];
  slotNames: string[];
  denseDim: number;
}

/** A decode job: a flat task list (TASK_FIELDS numbers per task) and the tasks' keys. */
export interface DecodeJob {
  id: number;
  tasks: Int32Array;
  taskKeys: BigInt64Array;
}

// Worker entry: the first message sets up a part cache; every batch goes back with its one buffer transferred.
let setup: DecodeSetup | null = null;
let cache: PartCache | null = null;

parentPort?.on("message", (msg: DecodeJob | { setup: DecodeSetup }) => {
  if ("setup" in msg) {
    setup = msg.setup;
    cache = new PartCache(setup.dir, setup.files, setup.slotNames, setup.denseDim);
    return;
  }
  try {
    const c = cache!;
    const batch = gatherTasks((p) => c.get(p), msg.tasks, msg.taskKeys, setup!.denseDim, setup!.slotNames.length);
    const buffer = batch.taskKeys.buffer as ArrayBuffer;
    parentPort!.postMessage({ id: msg.id, buffer, layout: batchLayout(batch) }, [buffer]);
  } catch (e) {
    parentPort!.postMessage({ id: msg.id, error: (e as Error).message });
  }
});
