import { int32Words } from "./int32Words.js";

/** Ids of one sparse slot for n samples: sample i owns ids[offsets[i] .. offsets[i+1]). */
export interface SlotIds {
  ids: BigInt64Array;
  offsets: Int32Array;
}

/** A block of raw samples in columns, as readers yield them and writers take them. */
export interface SampleChunk {
  n: number;
  task: BigInt64Array;
  label: Float32Array;
  /** n × D, row-major. */
  dense: Float32Array;
  sparse: SlotIds[];
  /** Present when the schema names a timestamp column. */
  timestamp: Float64Array | null;
  /** Extra float columns carried along (the synthetic true probability), by name. */
  extra?: Record<string, Float64Array>;
}

/** Appends samples one by one and produces a SampleChunk; grows by doubling. */
export class SampleChunkBuilder {
  n = 0;
  private cap: number;
  private task: BigInt64Array;
  private label: Float32Array;
  private dense: Float32Array;
  private ids: BigInt64Array[];
  private idLen: number[];
  private offsets: Int32Array[];
  private ts: Float64Array | null;

  constructor(
    readonly denseDim: number,
    readonly slots: number,
    readonly hasTimestamp: boolean,
    capacity = 1024,
  ) {
    this.cap = Math.max(1, capacity);
    this.task = new BigInt64Array(this.cap);
    this.label = new Float32Array(this.cap);
    this.dense = new Float32Array(this.cap * denseDim);
    this.ids = Array.from({ length: slots }, () => new BigInt64Array(this.cap));
    this.idLen = new Array<number>(slots).fill(0);
    this.offsets = Array.from({ length: slots }, () => new Int32Array(this.cap + 1));
    this.ts = hasTimestamp ? new Float64Array(this.cap) : null;
  }

  /** Starts a sample; fill its dense values and ids with the setters, then call `end()`. */
  begin(task: bigint, label: number, timestamp = 0): number {
    if (this.n === this.cap) this.grow();
    const i = this.n;
    this.task[i] = task;
    this.label[i] = label;
    if (this.ts) this.ts[i] = timestamp;
    return i;
  }

  setDense(j: number, v: number): void {
    this.dense[this.n * this.denseDim + j] = v;
  }

  pushId(slot: number, id: bigint): void {
    let buf = this.ids[slot]!;
    const len = this.idLen[slot]!;
    if (len === buf.length) {
      const next = new BigInt64Array(buf.length * 2);
      next.set(buf);
      this.ids[slot] = buf = next;
    }
    buf[len] = id;
    this.idLen[slot] = len + 1;
  }

  /** Drops the sample begun with `begin()` and not yet ended (a row refused half-way). */
  abort(): void {
    for (let s = 0; s < this.slots; s++) this.idLen[s] = this.offsets[s]![this.n]!;
  }

  end(): void {
    this.n++;
    for (let s = 0; s < this.slots; s++) this.offsets[s]![this.n] = this.idLen[s]!;
  }

  /** Copies sample `i` of `src` (same dense width and slots) as the next sample. */
  appendRow(src: SampleChunk, i: number): void {
    if (this.n === this.cap) this.grow();
    const n = this.n;
    const tw = int32Words(this.task);
    const sw = int32Words(src.task);
    tw[2 * n] = sw[2 * i]!;
    tw[2 * n + 1] = sw[2 * i + 1]!;
    this.label[n] = src.label[i]!;
    if (this.ts) this.ts[n] = src.timestamp ? src.timestamp[i]! : 0;
    const D = this.denseDim;
    for (let j = 0; j < D; j++) this.dense[n * D + j] = src.dense[i * D + j]!;
    for (let s = 0; s < this.slots; s++) {
      const { ids, offsets } = src.sparse[s]!;
      const from = offsets[i]!;
      const count = offsets[i + 1]! - from;
      let len = this.idLen[s]!;
      while (len + count > this.ids[s]!.length) {
        const next = new BigInt64Array(this.ids[s]!.length * 2);
        next.set(this.ids[s]!);
        this.ids[s] = next;
      }
      const dw = int32Words(this.ids[s]!);
      const iw = int32Words(ids);
      for (let k = 0; k < 2 * count; k++) dw[2 * len + k] = iw[2 * from + k]!;
      len += count;
      this.idLen[s] = len;
    }
    this.end();
  }

  /** The samples so far, trimmed (copies, so the builder can be reused after `reset`). */
  build(): SampleChunk {
    const n = this.n;
    return {
      n,
      task: this.task.slice(0, n),
      label: this.label.slice(0, n),
      dense: this.dense.slice(0, n * this.denseDim),
      sparse: this.ids.map((ids, s) => ({
        ids: ids.slice(0, this.idLen[s]!),
        offsets: this.offsets[s]!.slice(0, n + 1),
      })),
      timestamp: this.ts ? this.ts.slice(0, n) : null,
    };
  }

  reset(): void {
    this.n = 0;
    this.idLen.fill(0);
  }

  private grow(): void {
    const cap = this.cap * 2;
    const g = <T extends Float32Array | Float64Array | BigInt64Array | Int32Array>(a: T, len: number): T => {
      const b = new (a.constructor as new (n: number) => T)(len);
      b.set(a as never);
      return b;
    };
    this.task = g(this.task, cap);
    this.label = g(this.label, cap);
    this.dense = g(this.dense, cap * this.denseDim);
    this.offsets = this.offsets.map((o) => g(o, cap + 1));
    if (this.ts) this.ts = g(this.ts, cap);
    this.cap = cap;
  }
}
