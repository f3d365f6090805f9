import type { PartWriter, RowRef } from "./partWriter.js";
import type { SampleChunk } from "./sampleChunk.js";
import { splitOrder, type SplitRule } from "./splitRule.js";

/** Receives samples sorted by task (then time), splits each finished task and hands it on or drops it. */
export class TaskGrouper {
  tasks = 0;
  samples = 0;
  supportSamples = 0;
  querySamples = 0;
  droppedTasks = 0;
  droppedSamples = 0;
  private key: bigint | null = null;
  private rows: RowRef[] = [];

  constructor(
    private readonly writer: PartWriter,
    private readonly rule: Required<SplitRule>,
    private readonly minSupport: number,
    private readonly minQuery: number,
    private readonly seed: number,
  ) {}

  push(chunk: SampleChunk, i: number): void {
    const t = chunk.task[i]!;
    if (this.key !== t) {
      this.endTask();
      this.key = t;
    }
    this.rows.push({ chunk, i });
  }

  /** Closes the last task. */
  end(): void {
    this.endTask();
  }

  private endTask(): void {
    const rows = this.rows;
    if (this.key === null || rows.length === 0) return;
    const n = rows.length;
    const { order, query } = splitOrder(n, this.rule, this.seed, this.key);
    const support = n - query;
    if (support < this.minSupport || query < this.minQuery) {
      this.droppedTasks++;
      this.droppedSamples += n;
    } else {
      this.writer.addTask(this.key, Array.from(order, (k) => rows[k]!), support);
      this.tasks++;
      this.samples += n;
      this.supportSamples += support;
      this.querySamples += query;
    }
    this.rows = [];
  }
}
