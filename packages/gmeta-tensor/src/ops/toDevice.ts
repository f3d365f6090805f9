import type { Device } from "../device.js";
import { parseDevice } from "../device.js";
import { record } from "../autograd/record.js";
import { addon } from "../native/binding.js";
import { setToDevice, Tensor } from "../Tensor.js";
import { checkTensor } from "./check.js";

/**
 * `x` on `device`: a copy, or `x` itself when it is already there. Differentiable (the
 * gradient is copied back to x's device), so a graph may cross devices.
 * @example const y = toDevice(x, "cuda:0")
 */
export function toDevice(x: Tensor, device: Device | string): Tensor {
  checkTensor("to", "x", x);
  const d = parseDevice("to", device);
  if (d === x.device) return x;
  const out = Tensor.alloc(x.shape, x.dtype, d);
  if (x.numel > 0) addon.copy(out.storage.native, x.storage.native);
  const from = x.device;
  return record(out, "to", [x], (g) => [toDevice(g, from)]);
}

setToDevice(toDevice);
