import type { Alloc, AllGatherVResult, AllToAllVResult, ArrayCollectives, Backend } from "./ArrayCollectives.js";
import { allocUninitialized, DTYPE_CODE, dtypeOfArray, type DType, type HostArray } from "./dtype.js";
import { invalidArgument, withCallSite } from "./errors.js";
import type { NativeGroup } from "./native/AddonTypes.js";
import { OpQueue } from "./OpQueue.js";
import { REDUCE_CODE, type ReduceOp } from "./ReduceOp.js";

/**
 * ArrayCollectives over a native group (Gloo or MPI): validates in TypeScript, sizes the
 * receive buffers from counts exchanged first, and queues calls so they keep their order.
 */
export class NativeArrayGroup implements ArrayCollectives {
  readonly rank: number;
  readonly size: number;
  private readonly queue = new OpQueue();
  private closed = false;

  constructor(
    readonly backend: Backend,
    private readonly native: NativeGroup,
    private readonly onClose: () => void = () => undefined,
  ) {
    this.rank = native.rank;
    this.size = native.size;
  }

  allReduce<A extends HostArray>(data: A, op: ReduceOp = "sum"): Promise<A> {
    const dtype = this.check("allReduce", data);
    if (!(op in REDUCE_CODE)) throw invalidArgument("allReduce", '"sum", "mean", "max" or "min"', "op", op);
    if (op === "mean" && dtype !== "float32" && dtype !== "float64") {
      throw invalidArgument("allReduce", 'a float32 or float64 array for op "mean"', "data", data);
    }
    return this.call(async () => {
      await this.native.allReduce(data, DTYPE_CODE[dtype], REDUCE_CODE[op]);
      return data;
    });
  }

  allToAllV<A extends HostArray>(send: A, sendCounts: readonly number[], alloc?: Alloc<A>): Promise<AllToAllVResult<A>> {
    const dtype = this.check("allToAllV", send);
    const counts = this.checkCounts("allToAllV", sendCounts, "sendCounts");
    const total = sendCounts.reduce((s, c) => s + c, 0);
    if (total !== send.length) {
      throw invalidArgument("allToAllV", `sendCounts summing to send.length ${send.length}`, "sendCounts", `a sum of ${total}`);
    }
    return this.call(async () => {
      const recvCounts = await this.native.exchangeCounts(counts);
      const recvNumbers = Array.from(recvCounts, Number);
      const recv = this.receiveArray("allToAllV", dtype, recvNumbers.reduce((s, c) => s + c, 0), alloc);
      await this.native.allToAllV(send, counts, recv, recvCounts, DTYPE_CODE[dtype]);
      return { recv, recvCounts: recvNumbers };
    });
  }

  allGather<A extends HostArray>(data: A, alloc?: Alloc<A>): Promise<A> {
    this.check("allGather", data);
    return this.call(async () => {
      const { recv, counts } = await this.gatherV("allGather", data, alloc);
      if (counts.some((c) => c !== data.length)) {
        throw new Error(`allGather: every rank must give the same length, got ${counts.join(", ")} (use allGatherV)`);
      }
      return recv;
    });
  }

  allGatherV<A extends HostArray>(data: A, alloc?: Alloc<A>): Promise<AllGatherVResult<A>> {
    this.check("allGatherV", data);
    return this.call(() => this.gatherV("allGatherV", data, alloc));
  }

  broadcast<A extends HostArray>(data: A, root = 0): Promise<A> {
    const dtype = this.check("broadcast", data);
    if (!Number.isInteger(root) || root < 0 || root >= this.size) {
      throw invalidArgument("broadcast", `a rank in [0, ${this.size})`, "root", root);
    }
    return this.call(async () => {
      await this.native.broadcast(data, DTYPE_CODE[dtype], root);
      return data;
    });
  }

  barrier(): Promise<void> {
    this.checkOpen("barrier");
    return this.call(() => this.native.barrier());
  }

  setTimeout(ms: number): void {
    if (!Number.isInteger(ms) || ms <= 0) throw invalidArgument("setTimeout", "a positive integer", "ms", ms);
    this.native.setTimeout(ms);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.drain();
    this.native.close();
    this.onClose();
  }

  // Counts first, then the data: the receive buffer is allocated here, by its final size.
  private async gatherV<A extends HostArray>(op: string, data: A, alloc?: Alloc<A>): Promise<AllGatherVResult<A>> {
    const dtype = dtypeOfArray(data) as DType;
    const counts = await this.native.gatherCounts(data.length, op);
    const numbers = Array.from(counts, Number);
    const recv = this.receiveArray(op, dtype, numbers.reduce((s, c) => s + c, 0), alloc);
    await this.native.allGatherV(data, recv, counts, DTYPE_CODE[dtype]);
    return { recv, counts: numbers };
  }

  // The caller's allocator may hand out its own memory (a tensor's); check what it gave.
  private receiveArray<A extends HostArray>(op: string, dtype: DType, n: number, alloc?: Alloc<A>): A {
    if (!alloc) return allocUninitialized(dtype, n) as A;
    const a = alloc(n);
    if (dtypeOfArray(a) !== dtype || a.length !== n) {
      throw invalidArgument(op, `a ${dtype} array of ${n} elements`, "the allocated receive array", a);
    }
    return a;
  }

  private call<T>(fn: () => Promise<T>): Promise<T> {
    const site = new Error();
    return withCallSite(this.queue.run(fn), site);
  }

  private checkOpen(op: string): void {
    if (this.closed) throw new Error(`${op}: the process group is closed`);
  }

  private check(op: string, data: unknown): DType {
    this.checkOpen(op);
    const dtype = dtypeOfArray(data);
    if (!dtype) throw invalidArgument(op, "a Float32Array, Float64Array, Int32Array or BigInt64Array", "data", data);
    return dtype;
  }

  private checkCounts(op: string, counts: readonly number[], name: string): BigInt64Array {
    if (!Array.isArray(counts) || counts.length !== this.size) {
      throw invalidArgument(op, `an array of ${this.size} counts`, name, counts);
    }
    const out = new BigInt64Array(this.size);
    counts.forEach((c, i) => {
      if (!Number.isSafeInteger(c) || c < 0) throw invalidArgument(op, "non-negative integer counts", name, c);
      out[i] = BigInt(c);
    });
    return out;
  }
}
