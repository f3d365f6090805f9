import type { Device } from "./device.js";
import type { AddonInfo } from "./native/AddonTypes.js";
import { addon } from "./native/binding.js";

/** Whether one engine can be used here, and why not when it cannot. */
export interface BackendStatus {
  available: boolean;
  /** Empty when available; otherwise the reason, e.g. "built without CUDA". */
  reason: string;
}

/** CUDA and cuBLAS as this process sees them. */
export interface TensorBackends {
  cuda: BackendStatus & { compiled: boolean; devices: number };
  cublas: BackendStatus & { path: string };
}

let cached: AddonInfo | undefined;

// Availability cannot change within a process (the native side asks once), so ask once here.
function nativeInfo(): AddonInfo {
  cached ??= addon.info();
  return cached;
}

/**
 * Which GPU engines this build and machine offer, with the reason for each one missing.
 * @example backends().cuda.reason // "no CUDA device (cudaGetDeviceCount: ...)"
 */
export function backends(): TensorBackends {
  const i = nativeInfo();
  return { cuda: { ...i.cuda }, cublas: { ...i.cublas } };
}

/**
 * Throws the clear error for a device that cannot hold tensors here, before native code is
 * reached: `<op>: expected an available device for device, got "cuda:0" (<reason>)`.
 */
export function assertDeviceAvailable(op: string, device: Device): void {
  if (device === "cpu") return;
  const cuda = nativeInfo().cuda;
  const index = Number(device.slice(5));
  if (!cuda.available) {
    throw new Error(`${op}: expected an available device for device, got "${device}" (CUDA unavailable: ${cuda.reason})`);
  }
  if (index >= cuda.devices) {
    throw new Error(`${op}: expected an available device for device, got "${device}" (${cuda.devices} CUDA device(s): cuda:0..cuda:${cuda.devices - 1})`);
  }
}
