import { parentPort } from "node:worker_threads";
import { batchLayout } from "./batchLayout.js";
import { applyBatchTransform, loadBatchTransform, transferables } from "./batchTransform.js";
import type { BatchTransform, BatchTransformSpec } from "./batchTransform.js";
import { gatherTasks, partFiles } from "./gatherTasks.js";
import { PartCache } from "./partCache.js";

/** What a worker needs once: where the parts are and their layout. */
export interface DecodeSetup {
  dir: string;
  files: string[];
  /** Rows of each part as the manifest lists them. */
  rows: number[];
  slotNames: string[];
  denseDim: number;
  rank: number;
  /** Run on every decoded batch; its output rides along. */
  transform?: BatchTransformSpec;
}

/**
 * A decode job: consecutive batches, each a flat task list (TASK_FIELDS numbers per task) and
 * the tasks' keys, and the bytes of the parts they read (shared memory, not copied).
 */
export interface DecodeJob {
  id: number;
  batches: { tasks: Int32Array; taskKeys: BigInt64Array; epoch: number; index: number }[];
  parts: { part: number; bytes: Uint8Array }[];
}

// Worker entry: the first message sets up a part cache (and loads the transform); each job's
// batches go back in one message, their buffers transferred.
let setup: DecodeSetup | null = null;
let cache: PartCache | null = null;
let transform: Promise<BatchTransform> | null = null;

parentPort?.on("message", (msg: DecodeJob | { setup: DecodeSetup }) => {
  if ("setup" in msg) {
    setup = msg.setup;
    cache = new PartCache(setup.dir, setup.files, setup.slotNames, setup.denseDim, 4, setup.rows);
    if (setup.transform) {
      transform = loadBatchTransform(setup.transform);
      transform.catch(() => undefined);
    }
    return;
  }
  // Jobs wait for the transform in arrival order, so they still answer in order.
  void (transform ?? Promise.resolve(null)).then((t) => decode(msg, t), (e: Error) => parentPort!.postMessage({ id: msg.id, error: e.message }));
});

function decode(msg: DecodeJob, t: BatchTransform | null): void {
  try {
    const s = setup!;
    const c = cache!;
    const bytes = new Map(msg.parts.map((x) => [x.part, x.bytes]));
    const transfer: ArrayBuffer[] = [];
    const items = msg.batches.map(({ tasks, taskKeys, epoch, index }) => {
      const batch = gatherTasks((p) => c.get(p, bytes.get(p)), tasks, taskKeys, s.denseDim, s.slotNames.length);
      const buffer = batch.taskKeys.buffer as ArrayBuffer;
      const prepared = t ? applyBatchTransform(t, s.transform!, batch, { epoch, index, rank: s.rank }, partFiles(tasks, s.files, s.dir)) : undefined;
      transfer.push(buffer, ...transferables(prepared, buffer));
      return { buffer, layout: batchLayout(batch), prepared };
    });
    parentPort!.postMessage({ id: msg.id, items }, [...new Set(transfer)]);
  } catch (e) {
    parentPort!.postMessage({ id: msg.id, error: (e as Error).message });
  }
}
