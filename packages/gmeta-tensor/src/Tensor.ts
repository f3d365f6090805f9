import type { AnyTypedArray, DType } from "./dtype.js";
import { isFloat, typedArrayFor } from "./dtype.js";
import type { Device } from "./device.js";
import { fmtShape } from "./errors.js";
import { setTensorCheck, track } from "./memory.js";
import { numelOf } from "./shape.js";
import type { Shape } from "./shape.js";
import { StorageRef } from "./storage.js";

let toDeviceImpl: ((x: Tensor, device: Device | string) => Tensor) | undefined;

/** @internal Installed by ops/toDevice.ts so Tensor.to needs no import cycle. */
export function setToDevice(fn: (x: Tensor, device: Device | string) => Tensor): void {
  toDeviceImpl = fn;
}

/** The backward rule of one recorded op; written with differentiable ops. */
export interface GradFn {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  /** Gradients for each input (null where an input gets none), given the output's gradient. */
  backward(grad: Tensor): (Tensor | null)[];
}

/**
 * An n-dimensional array in native memory. Holds a handle: free it with `dispose()` or
 * create it inside `tidy`; the garbage collector frees forgotten ones too.
 */
export class Tensor {
  /** @internal */ storage: StorageRef;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly device: Device;
  readonly numel: number;
  /** True for leaves the caller asked gradients of, and for results of ops on such tensors. */
  requiresGrad = false;
  /** The op that produced this tensor, when it was recorded for autograd. */
  gradFn: GradFn | null = null;
  /**
   * @internal For `expand` of a [1, ...] tensor along its leading axis: that tensor, whose one
   * copy every batch entry equals (a GEMM against it can be one larger GEMM, an elementwise op
   * can read it with a zero stride). Cleared when this tensor's memory is written in place
   * (`assign`, a writable host view), since its values may then differ from the source's.
   */
  broadcastOf: Tensor | null = null;
  private isDisposed = false;

  /** @internal `broadcastOf` while that tensor is alive (what a kernel may read instead of this copy), else null. */
  expandSource(): Tensor | null {
    const s = this.broadcastOf;
    return s && !s.disposed ? s : null;
  }

  /** @internal Use the factory functions (tensor, zeros, ...) instead. */
  constructor(storage: StorageRef, shape: Shape, dtype: DType, device: Device) {
    this.storage = storage;
    this.shape = Object.freeze(shape.slice());
    this.dtype = dtype;
    this.device = device;
    this.numel = numelOf(shape);
    track(this);
  }

  /**
   * @internal A new tensor for a kernel to write. Its contents are unspecified unless
   * `zero` is set: pass it for outputs the kernel does not overwrite completely.
   */
  static alloc(shape: Shape, dtype: DType, device: Device, zero = false): Tensor {
    return new Tensor(StorageRef.alloc(dtype, numelOf(shape), device, zero), shape, dtype, device);
  }

  get rank(): number {
    return this.shape.length;
  }

  get disposed(): boolean {
    return this.isDisposed;
  }

  /** Whether this tensor is a leaf of the autograd graph (not produced by a recorded op). */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** Frees this tensor's handle on its memory; shared memory lives while other tensors use it. */
  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    this.storage.release();
  }

  /** @internal Throws the clear error for use after dispose. */
  assertLive(op: string): void {
    if (this.isDisposed) {
      throw new Error(
        `${op}: expected a live tensor, got a disposed ${this.dtype} tensor of shape ${fmtShape(this.shape)} (used after dispose())`,
      );
    }
  }

  /** Marks a leaf as requiring gradients (in place) and returns it. */
  setRequiresGrad(on = true): this {
    if (on && !isFloat(this.dtype)) {
      throw new Error(`setRequiresGrad: expected a float tensor for this, got ${this.dtype}`);
    }
    if (!this.isLeaf && !on) {
      throw new Error("setRequiresGrad: expected a leaf tensor for this, got the result of an op (use detach())");
    }
    this.requiresGrad = on;
    return this;
  }

  /**
   * This tensor on `device` ("cpu", "cuda:N"): a copy, or this tensor itself when it is
   * already there. Differentiable: the gradient is copied back.
   * @example const g = x.to("cuda:0")
   */
  to(device: Device | string): Tensor {
    if (!toDeviceImpl) throw new Error("to: the ops module is not loaded (import @gmeta/tensor)");
    return toDeviceImpl(this, device);
  }

  /** A copy of the contents as a typed array of this dtype. */
  toArray(): AnyTypedArray {
    this.assertLive("toArray");
    return typedArrayFor(this.dtype, this.storage.native.read());
  }

  /**
   * A zero-copy, writable typed array over this tensor's CPU memory. It keeps the memory
   * alive after dispose(); writing to it bypasses autograd.
   */
  hostView(): AnyTypedArray {
    this.assertLive("hostView");
    if (this.device !== "cpu") {
      throw new Error(`hostView: expected a cpu tensor for this, got one on ${this.device}`);
    }
    this.broadcastOf = null;
    return typedArrayFor(this.dtype, this.storage.native.view(), 0, this.numel);
  }

  /**
   * The position (from `offset`) of the first NaN or infinity among `length` elements from
   * `offset`, or -1 when all are finite; float tensors only. CPU memory is scanned natively
   * in place; device memory is read back first.
   */
  firstNonFinite(offset = 0, length = this.numel - offset): number {
    const op = "firstNonFinite";
    this.assertLive(op);
    if (!isFloat(this.dtype)) throw new Error(`${op}: expected a float tensor for this, got ${this.dtype}`);
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > this.numel) {
      throw new Error(`${op}: expected 0 <= offset and 0 <= length with offset + length <= ${this.numel}, got offset ${offset}, length ${length}`);
    }
    if (this.device === "cpu") return this.storage.native.firstNonFinite(offset, length);
    const a = this.toArray() as Float32Array | Float64Array;
    for (let k = 0; k < length; k++) if (!Number.isFinite(a[offset + k]!)) return k;
    return -1;
  }

  /** The value of a one-element tensor as a number. */
  item(): number {
    if (this.numel !== 1) {
      throw new Error(`item: expected a tensor of one element for this, got shape ${fmtShape(this.shape)}`);
    }
    return Number(this.toArray()[0]);
  }

  /** The contents as (nested) JS numbers. */
  toList(): unknown {
    const flat = Array.from(this.toArray() as ArrayLike<number | bigint>, Number);
    const build = (dim: number, off: number): unknown => {
      if (dim === this.shape.length) return flat[off];
      const n = this.shape[dim]!;
      const inner = numelOf(this.shape.slice(dim + 1));
      return Array.from({ length: n }, (_, i) => build(dim + 1, off + i * inner));
    };
    return build(0, 0);
  }

  toString(): string {
    return `Tensor(${this.dtype}, ${fmtShape(this.shape)}, ${this.device}${this.requiresGrad ? ", requiresGrad" : ""})`;
  }
}

setTensorCheck((x: unknown): x is Tensor => x instanceof Tensor);
