/**
 * Access for sibling packages that hand tensor memory to other native libraries (NCCL in
 * @gmeta/collectives). Not for models: nothing here is tracked by autograd.
 */
import type { Device } from "./device.js";
import { deviceIndex } from "./device.js";
import { addon } from "./native/binding.js";
import type { Tensor } from "./Tensor.js";

/**
 * @internal The address of `t`'s first element (a device pointer for cuda:N) as a bigint.
 * Valid while `t` lives. Work that uses it must be queued on {@link cudaStream} of t's
 * device, which orders it with every kernel that reads or writes the tensor.
 */
export function devicePointer(t: Tensor): bigint {
  t.assertLive("devicePointer");
  return t.storage.native.devicePointer();
}

/** @internal The stream (cudaStream_t) all of `device`'s kernels and copies run on. */
export function cudaStream(device: Device): bigint {
  return addon.cudaStream(deviceIndex(device));
}

/**
 * @internal Makes `device` the current CUDA device of the main thread, for libraries that
 * read it (NCCL binds a communicator to the current device when it is created).
 */
export function useDevice(device: Device): void {
  addon.useDevice(deviceIndex(device));
}

/**
 * @internal dst ← src for tensors of one dtype and element count on any devices, outside
 * autograd (a cudaMemcpy between GPUs or with the host; benchmarks use it as the memcpy rate).
 */
export function copyInto(dst: Tensor, src: Tensor): void {
  dst.assertLive("copyInto");
  src.assertLive("copyInto");
  if (dst.dtype !== src.dtype || dst.numel !== src.numel) {
    throw new Error(`copyInto: expected a ${dst.dtype} tensor of ${dst.numel} elements for src, got a ${src.dtype} tensor of ${src.numel}`);
  }
  addon.copy(dst.storage.native, src.storage.native);
}

/** Waits until the work queued on `device` has finished (no-op on the CPU). */
export function synchronize(device: Device): void {
  addon.synchronize(deviceIndex(device));
}

/**
 * @internal A marker after the work queued so far on `device`'s stream (a cudaEvent_t), for
 * libraries that must know without blocking when queued work is done (NCCL's timeouts), or,
 * with `timing`, to time device work (benchmarks). Free it with {@link destroyEvent}.
 */
export function recordEvent(device: Device, timing = false): bigint {
  return addon.recordEvent(deviceIndex(device), timing);
}

/**
 * @internal Device milliseconds between two markers recorded with `timing` on one device
 * (CUDA events: the time the GPU spent, without host launch gaps); waits for `end`.
 */
export function eventElapsedMs(start: bigint, end: bigint): number {
  return addon.eventElapsedMs(start, end);
}

/** @internal Whether the work before `event` has finished (throws the CUDA error it ended with). */
export function eventDone(event: bigint): boolean {
  return addon.eventDone(event);
}

/** @internal Frees a marker from {@link recordEvent}. */
export function destroyEvent(event: bigint): void {
  addon.destroyEvent(event);
}
