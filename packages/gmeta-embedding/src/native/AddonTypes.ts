/** The native addon's exports. Each returns -1 on success or the position of the first bad index. */
export interface Addon {
  mapIds(ids: BigInt64Array, rows: number, hash: boolean, out: Int32Array): number;
  mixId(id: bigint): bigint;
  uniqueInverse(rows: Int32Array, unique: Int32Array, inverse: Int32Array): number;
  /** Whether a deduplicated input is sound (rows in range, inverse in range, unique distinct with dedup, else the identity); no reason given. */
  dedupedValid(unique: Int32Array, inverse: Int32Array, rows: number, dedup: boolean): boolean;
  sparseSgd(weights: Float32Array, dim: number, index: Int32Array, grads: Float32Array, lr: number): number;
  sparseAdagrad(
    weights: Float32Array, dim: number, index: Int32Array, grads: Float32Array,
    state: Float32Array, rowWise: boolean, lr: number, eps: number,
  ): number;
  sparseAdam(
    weights: Float32Array, dim: number, index: Int32Array, grads: Float32Array,
    m: Float32Array, v: Float32Array, lr: number, beta1: number, beta2: number, eps: number, step: number,
  ): number;
  /** Whether CUDA was compiled into this addon and a device is usable, and why not. */
  cudaStatus(): { compiled: boolean; usable: boolean; reason: string };
  /**
   * A fused update on device rows, queued on `stream`. Addresses come from @gmeta/tensor's
   * devicePointer; every index must already be checked against `rows`.
   */
  sparseUpdateDevice(kind: "sgd" | "adagrad" | "adam", fields: DeviceUpdateFields): void;
}

/** Arguments of sparseUpdateDevice: addresses as bigints, sizes and hyperparameters as numbers. */
export interface DeviceUpdateFields {
  device: number;
  stream: bigint;
  weights: bigint;
  rows: number;
  dim: number;
  index: bigint;
  n: number;
  grads: bigint;
  lr: number;
  state?: bigint;
  rowWise?: boolean;
  m?: bigint;
  v?: bigint;
  beta1?: number;
  beta2?: number;
  eps?: number;
  step?: number;
}
