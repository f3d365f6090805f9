import type { Worker } from "node:worker_threads";
import type { DecodeJob, DecodeSetup } from "./decodeWorker.js";
import { batchFromLayout } from "./batchLayout.js";
import { startDecodeWorker } from "./decodeWorkerEntry.js";
import type { SampleBlock } from "./metaBatch.js";

/** What a decode worker sends back: the batch's arrays, their buffers transferred. */
export interface DecodedBatch {
  taskKeys: BigInt64Array;
  support: SampleBlock;
  query: SampleBlock;
  /** The loader's batch transform's output for this batch, when it has one. */
  prepared?: unknown;
}

/**
 * Decode worker threads kept for the life of a loader, so later epochs do not pay for thread
 * start-up. An idle worker is unref'd (it never keeps the process alive); a busy one is ref'd
 * (a pending batch does). Batches travel in groups: one message round trip costs about as much
 * as decoding a small batch.
 */
export class DecodePool {
  private readonly workers: Worker[];
  private readonly busy: number[];
  private readonly pending = new Map<number, { resolve: (d: DecodedBatch[]) => void; reject: (e: Error) => void; worker: number }>();
  private nextId = 0;
  private broken: Error | null = null;

  constructor(size: number, setup: DecodeSetup) {
    this.workers = Array.from({ length: size }, () => startDecodeWorker());
    for (const w of this.workers) w.postMessage({ setup });
    this.busy = new Array<number>(size).fill(0);
    this.workers.forEach((w, k) => {
      w.on("message", (m: { id: number; items: { buffer: ArrayBuffer; layout: Float64Array; prepared?: unknown }[]; error?: string }) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.settle(m.id, p.worker);
        if (m.error) p.reject(new Error(m.error));
        else p.resolve(m.items.map((x) => ({ ...batchFromLayout(x.buffer, x.layout, setup.slotNames.length), prepared: x.prepared })));
      });
      w.on("error", (e) => this.fail(e));
      w.on("exit", (code) => {
        if (this.pending.size > 0) this.fail(new Error(`loader: decode worker ${k} exited with code ${code}`));
      });
      // after the listeners: adding a "message" listener refs the worker again
      w.unref();
    });
  }

  /** Decodes a group of batches on the least busy worker (the next in turn among equals). */
  run(job: Omit<DecodeJob, "id">): Promise<DecodedBatch[]> {
    if (this.broken) return Promise.reject(this.broken);
    const id = this.nextId++;
    let k = id % this.workers.length;
    for (let j = 0; j < this.workers.length; j++) if (this.busy[j]! < this.busy[k]!) k = j;
    const done = new Promise<DecodedBatch[]>((resolve, reject) => this.pending.set(id, { resolve, reject, worker: k }));
    if (this.busy[k]!++ === 0) this.workers[k]!.ref();
    this.workers[k]!.postMessage({ ...job, id });
    return done;
  }

  /** Stops every worker; pending batches are rejected. */
  async close(): Promise<void> {
    this.fail(new Error("loader closed"));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private settle(id: number, k: number): void {
    this.pending.delete(id);
    if (--this.busy[k]! === 0) this.workers[k]!.unref();
  }

  private fail(e: Error): void {
    this.broken ??= e;
    for (const [id, p] of [...this.pending]) {
      this.settle(id, p.worker);
      p.reject(e);
    }
  }
}
