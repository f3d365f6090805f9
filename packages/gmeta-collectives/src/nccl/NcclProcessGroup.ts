import {
  cudaStream, destroyEvent, type Device, type DType, devicePointer, empty, eventDone, recordEvent, type Tensor, tensor, useDevice,
} from "@gmeta/tensor";

/**
 * @internal What the group asks of @gmeta/tensor about its device: addresses, the stream and
 * its markers. Replaced in tests, where the timeout and abort logic runs without a GPU.
 */
export interface DeviceHooks {
  devicePointer(t: Tensor): bigint;
  cudaStream(device: Device): bigint;
  useDevice(device: Device): void;
  recordEvent(device: Device): bigint;
  eventDone(event: bigint): boolean;
  destroyEvent(event: bigint): void;
}

const TENSOR_HOOKS: DeviceHooks = { devicePointer, cudaStream, useDevice, recordEvent, eventDone, destroyEvent };
import type { ArrayCollectives, Backend } from "../ArrayCollectives.js";
import { invalidArgument } from "../errors.js";
import type { NativeNcclComm } from "../native/AddonTypes.js";
import type { ProcessGroup, TensorAllGatherV, TensorAllToAllV } from "../ProcessGroup.js";
import type { ReduceOp } from "../ReduceOp.js";

// ncclDataType_t and ncclRedOp_t codes (nccl.h; see native/nccl/nccl_api.h).
const NCCL_DTYPE: Record<DType, number> = { int32: 2, int64: 4, float32: 7, float64: 8 };
const NCCL_OP: Record<ReduceOp, number> = { sum: 0, max: 2, min: 3, mean: 4 };
const BYTES: Record<DType, number> = { int32: 4, int64: 8, float32: 4, float64: 8 };

/**
 * Collectives on CUDA tensors through NCCL. Every call queues NCCL work on the stream of the
 * tensor's device, where @gmeta/tensor runs its kernels, so later ops on the result are
 * ordered after it; the returned Promise settles when that work has finished, polled without
 * blocking the thread. Past the timeout (or on an asynchronous NCCL error) the communicator
 * is aborted, which lets the queued NCCL kernels exit, and the Promise rejects naming the
 * operation; every later call fails the same way, as with Gloo. Splits and gathers are along
 * dimension 0, as in the Gloo group. Counts for allToAllV / allGatherV are exchanged first
 * with an NCCL allGather (one small device-to-host read).
 */
export class NcclProcessGroup implements ProcessGroup {
  readonly backend: Backend = "nccl";
  /** The timeout given at init or by setTimeout (ms), enforced by the polling of each call. */
  timeoutMs: number;
  /** Why the communicator was aborted, once it was. */
  private failure: string | null = null;

  constructor(
    private comm: NativeNcclComm | null,
    readonly rank: number,
    readonly size: number,
    /** The GPU this rank's communicator is bound to. */
    readonly device: Device,
    timeoutMs: number,
    /** @internal */ private readonly hooks: DeviceHooks = TENSOR_HOOKS,
  ) {
    this.timeoutMs = timeoutMs;
  }

  /** NCCL works on device memory only; typed-array collectives need backend "gloo". */
  get arrays(): ArrayCollectives {
    throw new Error('NcclProcessGroup: typed-array collectives are not available with backend "nccl" (device tensors only); use backend "gloo" for host arrays');
  }

  private live(op: string): NativeNcclComm {
    if (this.failure) throw new Error(`${op}: the NCCL process group failed earlier: ${this.failure}`);
    if (!this.comm) throw new Error(`${op}: the NCCL process group is closed`);
    return this.comm;
  }

  /**
   * Settles once the work queued so far on the device has finished: quick polls first (a
   * small collective takes microseconds), then every millisecond, until the timeout.
   */
  private finished<T>(op: string, value: T): Promise<T> {
    const event = this.hooks.recordEvent(this.device);
    const timeoutMs = this.timeoutMs;
    const deadline = Date.now() + timeoutMs;
    return new Promise<T>((resolve, reject) => {
      let polls = 0;
      const poll = (): void => {
        try {
          // Another call's abort (or close) lets this call's NCCL kernels exit early too:
          // its marker then completes, but its data was never exchanged.
          if (this.failure !== null || this.comm === null) {
            this.hooks.destroyEvent(event);
            reject(new Error(this.failure !== null ? `${op}: the NCCL process group failed: ${this.failure}` : `${op}: the NCCL process group was closed before the call finished`));
            return;
          }
          if (this.hooks.eventDone(event)) {
            this.hooks.destroyEvent(event);
            resolve(value);
            return;
          }
          const err = this.comm ? this.comm.asyncError() : "";
          if (err !== "" || Date.now() > deadline) {
            const why = err !== ""
              ? `NCCL reported "${err}"`
              : `not finished after ${timeoutMs} ms (a peer did not take part, or has died)`;
            this.abort(`${op} ${why}`);
            // A pending marker may be destroyed; CUDA frees it once the stream passes it.
            this.hooks.destroyEvent(event);
            reject(new Error(`${op}: ${why}; the NCCL communicator of rank ${this.rank} of ${this.size} was aborted`));
            return;
          }
        } catch (e) {
          // A CUDA error from the queued work: the communicator cannot be trusted either.
          try {
            this.hooks.destroyEvent(event);
          } catch {
            // The context may be unusable after such an error; the event goes with it.
          }
          if (this.comm) {
            try {
              this.abort(`${op}: ${(e as Error).message}`);
            } catch {
              // Already failing: the first error is the one to report.
            }
          }
          reject(e);
          return;
        }
        polls++;
        if (polls < 256) setImmediate(poll);
        else setTimeout(poll, 1);
      };
      poll();
    });
  }

  private abort(why: string): void {
    this.failure = why;
    const c = this.comm;
    this.comm = null;
    if (!c) return;
    this.hooks.useDevice(this.device);
    c.destroy(true);
  }

  private check(op: string, t: Tensor): void {
    if (t === null || typeof t !== "object" || typeof (t as Tensor).to !== "function") throw invalidArgument(op, "a Tensor", "t", t);
    if (t.device !== this.device) {
      throw invalidArgument(op, `a tensor on "${this.device}" (this rank's NCCL device)`, "t", `one on ${t.device}`);
    }
  }

  private stream(): bigint {
    return this.hooks.cudaStream(this.device);
  }

  async allReduce(t: Tensor, op: ReduceOp = "sum"): Promise<Tensor> {
    this.check("allReduce", t);
    const code = NCCL_OP[op];
    if (code === undefined) throw invalidArgument("allReduce", '"sum", "mean", "max" or "min"', "op", op);
    if (op === "mean" && (t.dtype === "int32" || t.dtype === "int64")) {
      throw invalidArgument("allReduce", "a float tensor for mean", "t", t.dtype);
    }
    const p = this.hooks.devicePointer(t);
    this.live("allReduce").allReduce(p, p, t.numel, NCCL_DTYPE[t.dtype], code, this.stream());
    return this.finished("allReduce", t);
  }

  async broadcast(t: Tensor, root = 0): Promise<Tensor> {
    this.check("broadcast", t);
    if (!Number.isInteger(root) || root < 0 || root >= this.size) throw invalidArgument("broadcast", `a rank in [0, ${this.size})`, "root", root);
    this.live("broadcast").broadcast(this.hooks.devicePointer(t), t.numel, NCCL_DTYPE[t.dtype], root, this.stream());
    return this.finished("broadcast", t);
  }

  async allGather(t: Tensor): Promise<Tensor> {
    this.check("allGather", t);
    const [rows, row] = rowShape("allGather", t);
    const recv = empty([rows * this.size, ...row], { dtype: t.dtype, device: this.device });
    try {
      this.live("allGather").allGather(this.hooks.devicePointer(t), this.hooks.devicePointer(recv), t.numel, NCCL_DTYPE[t.dtype], this.stream());
      return await this.finished("allGather", recv);
    } catch (e) {
      recv.dispose();
      throw e;
    }
  }

  // Every rank's small vector of counts, gathered on the device and read back.
  private async gatherCounts(op: string, mine: number[]): Promise<number[][]> {
    const local = tensor(BigInt64Array.from(mine, BigInt), { device: this.device });
    const all = empty([mine.length * this.size], { dtype: "int64", device: this.device });
    try {
      this.live(op).allGather(this.hooks.devicePointer(local), this.hooks.devicePointer(all), mine.length, NCCL_DTYPE.int64, this.stream());
      // Waited for without blocking, so a missing peer times out instead of hanging the read.
      await this.finished(op, all);
      const flat = Array.from(all.toArray() as BigInt64Array, Number);
      return Array.from({ length: this.size }, (_, r) => flat.slice(r * mine.length, (r + 1) * mine.length));
    } finally {
      local.dispose();
      all.dispose();
    }
  }

  async allToAllV(send: Tensor, sendCounts: readonly number[]): Promise<TensorAllToAllV> {
    this.check("allToAllV", send);
    const [rows, row] = rowShape("allToAllV", send);
    if (!Array.isArray(sendCounts) || sendCounts.length !== this.size || !sendCounts.every((c) => Number.isInteger(c) && c >= 0)) {
      throw invalidArgument("allToAllV", `an array of ${this.size} non-negative row counts`, "sendCounts", sendCounts);
    }
    const total = sendCounts.reduce((s, c) => s + c, 0);
    if (total !== rows) throw invalidArgument("allToAllV", `row counts summing to ${rows}`, "sendCounts", `a sum of ${total}`);
    const byRank = await this.gatherCounts("allToAllV", [...sendCounts]);
    const recvCounts = byRank.map((counts) => counts[this.rank]!);
    return this.sendRecvRows("allToAllV", send, row, sendCounts, recvCounts, false, (recv) => ({ recv, recvCounts }));
  }

  async allGatherV(t: Tensor): Promise<TensorAllGatherV> {
    this.check("allGatherV", t);
    const [rows, row] = rowShape("allGatherV", t);
    const counts = (await this.gatherCounts("allGatherV", [rows])).map((c) => c[0]!);
    return this.sendRecvRows("allGatherV", t, row, counts.map(() => rows), counts, true, (recv) => ({ recv, counts }));
  }

  // Rows of `send` to every peer and back in one NCCL group (see sendRecvPlan), received into a
  // new tensor of recvCounts rows, which is freed again when the exchange fails.
  private async sendRecvRows<R>(
    op: string, send: Tensor, row: readonly number[], sendCounts: readonly number[], recvCounts: readonly number[], sameSend: boolean,
    result: (recv: Tensor) => R,
  ): Promise<R> {
    const width = row.reduce((a, b) => a * b, 1);
    const recv = empty([recvCounts.reduce((s, c) => s + c, 0), ...row], { dtype: send.dtype, device: this.device });
    const plan = sendRecvPlan(this.hooks.devicePointer(send), sendCounts, this.hooks.devicePointer(recv), recvCounts, width, BYTES[send.dtype], sameSend);
    try {
      this.live(op).sendRecv(plan.sends, plan.recvs, NCCL_DTYPE[send.dtype], this.stream());
      return await this.finished(op, result(recv));
    } catch (e) {
      recv.dispose();
      throw e;
    }
  }

  /** Resolves once every rank has reached it and this rank's queued NCCL work is done. */
  async barrier(): Promise<void> {
    const one = tensor([1], { dtype: "float32", device: this.device });
    try {
      await this.allReduce(one, "sum");
    } finally {
      one.dispose();
    }
  }

  /** Sets the timeout of later calls, in milliseconds (the wait for their queued work). */
  setTimeout(ms: number): void {
    if (!Number.isInteger(ms) || ms <= 0) throw invalidArgument("setTimeout", "a positive integer", "ms", ms);
    this.timeoutMs = ms;
  }

  /** Releases the communicator (aborting it when NCCL reported an asynchronous error). */
  async close(): Promise<void> {
    const c = this.comm;
    if (!c) return;
    this.comm = null;
    this.hooks.useDevice(this.device);
    // Destroy waits for peers; abort does not, which is what a failed group needs.
    c.destroy(this.failure !== null || c.asyncError() !== "");
  }
}

function rowShape(op: string, t: Tensor): [number, number[]] {
  if (t.shape.length === 0) throw invalidArgument(op, "a tensor with at least one dimension", "t", "a scalar");
  return [t.shape[0]!, t.shape.slice(1)];
}

/** One NCCL group's transfers: [peer, pointer, element count] for each non-empty block. */
export interface SendRecvPlan {
  sends: [number, bigint, number][];
  recvs: [number, bigint, number][];
}

/**
 * @internal The pointers and counts of a grouped send/recv: send row blocks lie back to back
 * in rank order from `sendPtr` (or all start at `sendPtr` when `sameSend`, as in allGatherV),
 * and so do the received blocks from `recvPtr`. Pure, so it is tested without a GPU.
 */
export function sendRecvPlan(
  sendPtr: bigint, sendRows: readonly number[], recvPtr: bigint, recvRows: readonly number[],
  width: number, elementBytes: number, sameSend = false,
): SendRecvPlan {
  const rowBytes = BigInt(width * elementBytes);
  const plan: SendRecvPlan = { sends: [], recvs: [] };
  let so = 0;
  let ro = 0;
  for (let peer = 0; peer < sendRows.length; peer++) {
    const s = sendRows[peer]!;
    const r = recvRows[peer]!;
    if (s > 0 && width > 0) plan.sends.push([peer, sendPtr + (sameSend ? 0n : BigInt(so) * rowBytes), s * width]);
    if (r > 0 && width > 0) plan.recvs.push([peer, recvPtr + BigInt(ro) * rowBytes, r * width]);
    so += s;
    ro += r;
  }
  return plan;
}
