import { assertDeviceAvailable } from "./backends.js";
import { argError } from "./errors.js";

/** A device name: "cpu" or "cuda:N". */
export type Device = "cpu" | `cuda:${number}`;

/** Native device index: -1 for the CPU, N for cuda:N. */
export function deviceIndex(d: Device): number {
  return d === "cpu" ? -1 : Number(d.slice(5));
}

/** Validates a device name given by a caller, and that the device is usable here. */
export function parseDevice(op: string, d: unknown): Device {
  if (d === undefined || d === "cpu") return "cpu";
  if (typeof d === "string" && /^cuda(:\d+)?$/.test(d)) {
    const device = (d === "cuda" ? "cuda:0" : d) as Device;
    assertDeviceAvailable(op, device);
    return device;
  }
  throw argError(op, '"cpu" or "cuda:N"', "device", JSON.stringify(d));
}
