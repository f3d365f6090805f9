import type { Device } from "../device.js";
import { deviceIndex } from "../device.js";
import { captureTensors } from "../memory.js";
import type { NativeProgram } from "../native/AddonTypes.js";
import { addon } from "../native/binding.js";
import type { Tensor } from "../Tensor.js";

/** What one recorded run of a function left: its result, the program, or why there is none. */
export interface Captured<T> {
  result: T;
  /** Every tensor created during the run, none disposed (the caller decides what to keep). */
  created: Tensor[];
  /** The recorded program; null when something in the run cannot be replayed. */
  program: NativeProgram | null;
  /** Why `program` is null. */
  reason?: string;
}

/**
 * Runs `fn` once, eagerly, while recording every kernel call it makes (forward, `grad` with
 * `createGraph`, gradients of gradients) into a program that replays them natively on the
 * same storages. Host reads, random draws and optimizer steps inside `fn` make the program
 * null, with the reason; the eager result is valid either way.
 */
export function capture<T>(device: Device, fn: () => T): Captured<T> {
  if (addon.captureOpen()) throw new Error("capture: expected no open capture, got one already open (captures do not nest)");
  addon.beginCapture(deviceIndex(device));
  let run: { result: T; created: Tensor[] };
  try {
    run = captureTensors(fn);
  } catch (e) {
    addon.endCapture().program?.dispose();
    throw e;
  }
  const end = addon.endCapture();
  if (run.result instanceof Promise) {
    end.program?.dispose();
    for (const t of run.created) t.dispose();
    throw new Error("capture: expected a synchronous function for fn, got one that returned a Promise");
  }
  return { ...run, program: end.program ?? null, reason: end.reason };
}
