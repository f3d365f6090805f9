/** The shape of the native addons' exports (native/binding/*.cc). */

/** Counts travel as int64 so 16M-row exchanges never overflow. */
export type Counts = BigInt64Array;

/** A native process group: Gloo or MPI; every collective resolves when it has finished. */
export interface NativeGroup {
  readonly rank: number;
  readonly size: number;
  allReduce(data: ArrayBufferView, dtype: number, op: number): Promise<void>;
  exchangeCounts(sendCounts: Counts): Promise<Counts>;
  allToAllV(send: ArrayBufferView, sendCounts: Counts, recv: ArrayBufferView, recvCounts: Counts, dtype: number): Promise<void>;
  gatherCounts(n: number, op: string): Promise<Counts>;
  allGatherV(send: ArrayBufferView, recv: ArrayBufferView, counts: Counts, dtype: number): Promise<void>;
  broadcast(data: ArrayBufferView, dtype: number, root: number): Promise<void>;
  barrier(): Promise<void>;
  setTimeout(ms: number): void;
  close(): void;
}

/** Options of createGlooGroup: a TCP store (storeHost) or a FileStore (filePath). */
export interface NativeGlooOptions {
  rank: number;
  size: number;
  timeoutMs: number;
  hostname: string;
  storeHost?: string;
  storePort?: number;
  token?: string;
  filePath?: string;
  jobId: string;
}

export interface GlooAddon {
  createGlooGroup(options: NativeGlooOptions): Promise<NativeGroup>;
}

export interface MpiAddon {
  createMpiGroup(): NativeGroup;
  finalizeMpi(): void;
}
