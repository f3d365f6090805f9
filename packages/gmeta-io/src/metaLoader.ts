import { applyBatchTransform, checkTransformSpec, loadBatchTransform } from "./batchTransform.js";
import type { BatchTransform, BatchTransformSpec } from "./batchTransform.js";
import { DecodePool, type DecodedBatch } from "./decodePool.js";
import { batchPositions, batchesPerEpoch, epochOrder } from "./epochPlan.js";
import { TASK_FIELDS, gatherTasks, partFiles } from "./gatherTasks.js";
import type { Manifest } from "./manifest.js";
import type { MetaBatch } from "./metaBatch.js";
import { PartCache } from "./partCache.js";
import { SharedPartBytes } from "./sharedPartBytes.js";
import type { TaskIndex } from "./taskIndex.js";

/** Options of `dataset.loader`. */
export interface LoaderOptions {
  rank?: number;
  worldSize?: number;
  tasksPerBatch: number;
  /** Seeded shuffle of parts and tasks each epoch (default true). */
  shuffle?: boolean;
  seed?: number;
  /** First epoch (default 0). */
  epoch?: number;
  /** Epochs to run (default 1). */
  epochs?: number;
  /** Batches decoded ahead of the consumer (default 2); with workers, at least workers × batchesPerMessage. */
  prefetch?: number;
  /** Batches a worker decodes per message (default max(1, floor(256 / tasksPerBatch))). */
  batchesPerMessage?: number;
  /** Decode threads; 0 decodes on the calling thread (default 1). */
  workers?: number;
  /** What to do with tasks that do not fill a whole global step (default "drop"). */
  remainder?: "drop" | "pad";
  /**
   * A module run on every batch where it is decoded (the worker threads, so it overlaps the
   * consumer's step); its output arrives as `batch.prepared`. An error in it stops the loader,
   * naming the module and the batch.
   */
  transform?: BatchTransformSpec;
}

/** A loader position: the next batch to yield. */
export interface LoaderState {
  epoch: number;
  batch: number;
  seed: number;
}


/** Streams MetaBatches for one rank; iterate it with `for await`. */
export class MetaLoader implements AsyncIterable<MetaBatch> {
  readonly batchesPerEpoch: number;
  private readonly rank: number;
  private readonly worldSize: number;
  private readonly T: number;
  private readonly shuffle: boolean;
  private readonly seed: number;
  private readonly endEpoch: number;
  private readonly prefetch: number;
  private readonly group: number;
  private readonly workers: number;
  private readonly slotNames: string[];
  private pos: { epoch: number; batch: number };
  private readonly transform: BatchTransformSpec | undefined;
  private pool: DecodePool | null = null;
  private inlineTransform: Promise<BatchTransform> | null = null;
  private partBytes: SharedPartBytes | null = null;

  constructor(
    private readonly dir: string,
    private readonly manifest: Manifest,
    private readonly index: TaskIndex,
    options: LoaderOptions,
  ) {
    const int = (v: unknown, name: string, min: number): number => {
      if (!Number.isInteger(v) || (v as number) < min) throw new Error(`loader: expected an integer ≥ ${min} for ${name}, got ${JSON.stringify(v)}`);
      return v as number;
    };
    this.worldSize = int(options.worldSize ?? 1, "worldSize", 1);
    this.rank = int(options.rank ?? 0, "rank", 0);
    if (this.rank >= this.worldSize) throw new Error(`loader: expected rank < worldSize (${this.worldSize}), got ${this.rank}`);
    this.T = int(options.tasksPerBatch, "tasksPerBatch", 1);
    this.shuffle = options.shuffle ?? true;
    this.seed = int(options.seed ?? 0, "seed", 0);
    const epoch = int(options.epoch ?? 0, "epoch", 0);
    this.endEpoch = epoch + int(options.epochs ?? 1, "epochs", 1);
    this.prefetch = int(options.prefetch ?? 2, "prefetch", 1);
    this.group = int(options.batchesPerMessage ?? Math.max(1, Math.floor(256 / this.T)), "batchesPerMessage", 1);
    this.workers = int(options.workers ?? 1, "workers", 0);
    const remainder = options.remainder ?? "drop";
    if (remainder !== "drop" && remainder !== "pad") throw new Error(`loader: expected "drop" or "pad" for remainder, got ${JSON.stringify(remainder)}`);
    this.batchesPerEpoch = batchesPerEpoch(index.task.length, this.T, this.worldSize, remainder);
    if (this.batchesPerEpoch === 0) {
      throw new Error(
        `loader: ${index.task.length} tasks do not fill one step of ${this.T} tasks × ${this.worldSize} ranks; lower tasksPerBatch or use remainder: "pad"`,
      );
    }
    this.slotNames = manifest.slots.map((s) => s.name);
    this.transform = options.transform === undefined ? undefined : checkTransformSpec(options.transform);
    this.pos = { epoch, batch: 0 };
  }

  /** The position of the next batch this loader will yield. */
  state(): LoaderState {
    return { epoch: this.pos.epoch, batch: this.pos.batch, seed: this.seed };
  }

  /** Continues from a position taken by `state()` (the seed must match). */
  resume(state: LoaderState): this {
    if (state.seed !== this.seed) throw new Error(`loader: expected a state with seed ${this.seed}, got ${state.seed}`);
    if (!(state.batch >= 0 && state.batch <= this.batchesPerEpoch)) {
      throw new Error(`loader: expected a batch in [0, ${this.batchesPerEpoch}] for state.batch, got ${state.batch}`);
    }
    this.pos = { epoch: state.epoch, batch: state.batch };
    return this;
  }

  /** Stops the decode workers (idle workers never keep the process alive, so this is optional). */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    this.partBytes = null;
    await pool?.close();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<MetaBatch> {
    // Jobs in yield order; the epoch order is computed once per epoch.
    const jobs: { epoch: number; batch: number }[] = [];
    for (let e = this.pos.epoch, b = this.pos.batch; e < this.endEpoch; b++) {
      if (b >= this.batchesPerEpoch) {
        e++;
        b = -1;
        continue;
      }
      jobs.push({ epoch: e, batch: b });
    }
    const orders = new Map<number, Int32Array>();
    const orderOf = (epoch: number): Int32Array => {
      let order = orders.get(epoch);
      if (!order) {
        orders.clear();
        order = epochOrder({ partStart: this.index.partStart, shuffle: this.shuffle, seed: this.seed, epoch });
        orders.set(epoch, order);
      }
      return order;
    };
    const describe = (j: { epoch: number; batch: number }): { tasks: Int32Array; keys: BigInt64Array; padded: number } => {
      const order = orderOf(j.epoch);
      const { positions, padded } = batchPositions(j.batch, this.rank, this.T, this.worldSize, order.length);
      const tasks = new Int32Array(positions.length * TASK_FIELDS);
      const keys = new BigInt64Array(positions.length);
      const ix = this.index;
      for (let k = 0; k < positions.length; k++) {
        const t = order[positions[k]!]!;
        tasks[k * TASK_FIELDS] = ix.part[t]!;
        tasks[k * TASK_FIELDS + 1] = ix.row[t]!;
        tasks[k * TASK_FIELDS + 2] = ix.support[t]!;
        tasks[k * TASK_FIELDS + 3] = ix.query[t]!;
        keys[k] = ix.task[t]!;
      }
      return { tasks, keys, padded };
    };
    const finish = (j: { epoch: number; batch: number }, d: DecodedBatch, padded: number): MetaBatch => ({
      epoch: j.epoch,
      index: j.batch,
      rank: this.rank,
      tasks: this.T,
      taskKeys: d.taskKeys,
      padded,
      support: d.support,
      query: d.query,
      ...(d.prepared === undefined ? {} : { prepared: d.prepared }),
    });
    const advance = (j: { epoch: number; batch: number }): void => {
      this.pos = j.batch + 1 >= this.batchesPerEpoch && j.epoch + 1 < this.endEpoch ? { epoch: j.epoch + 1, batch: 0 } : { epoch: j.epoch, batch: j.batch + 1 };
    };

    if (this.workers === 0) {
      const files = this.manifest.parts.map((p) => p.file);
      const cache = new PartCache(this.dir, files, this.slotNames, this.manifest.denseDim, 4, this.manifest.parts.map((p) => p.rows));
      const spec = this.transform;
      if (spec) this.inlineTransform ??= loadBatchTransform(spec);
      const transform = spec ? await this.inlineTransform! : null;
      for (const j of jobs) {
        const d = describe(j);
        const decoded = gatherTasks((p) => cache.get(p), d.tasks, d.keys, this.manifest.denseDim, this.slotNames.length);
        if (transform) decoded.prepared = applyBatchTransform(transform, spec!, decoded, { epoch: j.epoch, index: j.batch, rank: this.rank }, partFiles(d.tasks, files, this.dir));
        const batch = finish(j, decoded, d.padded);
        advance(j);
        yield batch;
      }
      return;
    }

    this.pool ??= new DecodePool(this.workers, {
      dir: this.dir,
      files: this.manifest.parts.map((p) => p.file),
      rows: this.manifest.parts.map((p) => p.rows),
      slotNames: this.slotNames,
      denseDim: this.manifest.denseDim,
      rank: this.rank,
      ...(this.transform ? { transform: this.transform } : {}),
    });
    this.partBytes ??= new SharedPartBytes(this.dir, this.manifest.parts.map((p) => p.file));
    const pool = this.pool;
    const partBytes = this.partBytes;
    type Job = (typeof jobs)[number];
    const inFlight: { js: Job[]; padded: number[]; done: Promise<DecodedBatch[]> }[] = [];
    // Two groups per worker: one decoding while the next waits, so no worker idles between messages.
    const maxGroups = Math.max(2 * this.workers, Math.ceil(this.prefetch / this.group));
    const tasksPerPart = this.index.task.length / this.manifest.parts.length;
    const readAhead = this.group * maxGroups + Math.ceil(tasksPerPart / (this.T * this.worldSize));
    let next = 0;
    const submit = (): void => {
      const js = jobs.slice(next, next + this.group);
      const ds = js.map(describe);
      const parts: number[] = [];
      for (const d of ds) {
        for (let k = 0; k < d.tasks.length; k += TASK_FIELDS) if (!parts.includes(d.tasks[k]!)) parts.push(d.tasks[k]!);
      }
      const done = Promise.all(parts.map(async (part) => ({ part, bytes: await partBytes.get(part) }))).then((shared) =>
        pool.run({ batches: ds.map((d, k) => ({ tasks: d.tasks, taskKeys: d.keys, epoch: js[k]!.epoch, index: js[k]!.batch })), parts: shared }),
      );
      done.catch(() => undefined);
      inFlight.push({ js, padded: ds.map((d) => d.padded), done });
      next += js.length;
      // Start reading the part a job about one part ahead needs, so no group waits on a read.
      const ahead = jobs[next + readAhead - 1] ?? jobs[jobs.length - 1]!;
      if (ahead.epoch === jobs[next - 1]!.epoch) {
        const order = orderOf(ahead.epoch);
        void partBytes.get(this.index.part[order[((ahead.batch * this.worldSize + this.rank) * this.T) % order.length]!]!).catch(() => undefined);
      }
    };
    try {
      while (next < jobs.length && inFlight.length < maxGroups) submit();
      while (inFlight.length > 0) {
        const head = inFlight.shift()!;
        const decoded = await head.done;
        if (next < jobs.length) submit();
        for (let k = 0; k < head.js.length; k++) {
          advance(head.js[k]!);
          yield finish(head.js[k]!, decoded[k]!, head.padded[k]!);
        }
      }
    } finally {
      // batches still in flight are decoded and dropped; the workers stay for the next pass
      inFlight.length = 0;
    }
  }
}
