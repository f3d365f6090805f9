import { parentPort } from "node:worker_threads";
import { batchLayout } from "./batchLayout.js";
import { gatherTasks } from "./gatherTasks.js";
import { PartCache } from "./partCache.js";

/** What a worker needs once: where the parts are and their layout. */
export interface DecodeSetup {
  dir: string;
  files: string[];
  /** Rows of each part as the manifest lists them. */
  rows: number[];
  slotNames: string[];
  denseDim: number;
}

/**
 * A decode job: consecutive batches, each a flat task list (TASK_FIELDS numbers per task) and
 * the tasks' keys, and the bytes of the parts they read (shared memory, not copied).
 */
export interface DecodeJob {
  id: number;
  batches: { tasks: Int32Array; taskKeys: BigInt64Array }[];
  parts: { part: number; bytes: Uint8Array }[];
}

// Worker entry: the first message sets up a part cache; each job's batches go back in one message, their buffers transferred.
let setup: DecodeSetup | null = null;
let cache: PartCache | null = null;

parentPort?.on("message", (msg: DecodeJob | { setup: DecodeSetup }) => {
  if ("setup" in msg) {
    setup = msg.setup;
    cache = new PartCache(setup.dir, setup.files, setup.slotNames, setup.denseDim, 4, setup.rows);
    return;
  }
  try {
    const c = cache!;
    const bytes = new Map(msg.parts.map((x) => [x.part, x.bytes]));
    const items = msg.batches.map(({ tasks, taskKeys }) => {
      const batch = gatherTasks((p) => c.get(p, bytes.get(p)), tasks, taskKeys, setup!.denseDim, setup!.slotNames.length);
      return { buffer: batch.taskKeys.buffer as ArrayBuffer, layout: batchLayout(batch) };
    });
    parentPort!.postMessage({ id: msg.id, items }, items.map((x) => x.buffer));
  } catch (e) {
    parentPort!.postMessage({ id: msg.id, error: (e as Error).message });
  }
});
