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

export interface GlooAddon extends NcclExports {
  createGlooGroup(options: NativeGlooOptions): Promise<NativeGroup>;
}

export interface MpiAddon {
  createMpiGroup(): NativeGroup;
  finalizeMpi(): void;
}

/** What the NCCL loader found (native/nccl/nccl_api.cc). */
export interface NcclStatusNative {
  loaded: boolean;
  path: string;
  /** NCCL_VERSION_CODE, e.g. 22703 for 2.27.3; 0 when not loaded. */
  version: number;
  reason: string;
}

/** An NCCL communicator; pointers and streams are bigints from @gmeta/tensor. */
export interface NativeNcclComm {
  allReduce(send: bigint, recv: bigint, count: number, dtype: number, op: number, stream: bigint): void;
  broadcast(ptr: bigint, count: number, dtype: number, root: number, stream: bigint): void;
  allGather(send: bigint, recv: bigint, countPerRank: number, dtype: number, stream: bigint): void;
  /** One NCCL group of sends and receives: [peer, pointer, count] each. */
  sendRecv(sends: [number, bigint, number][], recvs: [number, bigint, number][], dtype: number, stream: bigint): void;
  /** The communicator's asynchronous error, "" when none. */
  asyncError(): string;
  destroy(abort?: boolean): void;
}

export interface NcclExports {
  ncclStatus(): NcclStatusNative;
  /** ncclGetUniqueId: 128 bytes every rank passes to NcclComm. */
  ncclUniqueId(): Uint8Array;
  /** ncclCommInitRank; blocks until all ranks have joined. */
  NcclComm: new (uniqueId: Uint8Array, size: number, rank: number) => NativeNcclComm;
}
