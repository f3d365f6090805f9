import type { DType } from "./dtype.js";
import { dtypeCode } from "./dtype.js";
import type { Device } from "./device.js";
import { assertDeviceAvailable } from "./backends.js";
import { deviceIndex } from "./device.js";
import type { NativeStorage } from "./native/AddonTypes.js";
import { addon } from "./native/binding.js";

/**
 * Shared ownership of one native storage by several tensors (reshape shares memory).
 * The memory is freed when the last tensor is disposed, or by the garbage collector.
 */
export class StorageRef {
  private refs = 1;
  constructor(readonly native: NativeStorage) {}

  static alloc(dtype: DType, numel: number, device: Device, zero: boolean): StorageRef {
    assertDeviceAvailable("alloc", device);
    return new StorageRef(new addon.Storage(dtypeCode(dtype), numel, deviceIndex(device), zero));
  }

  retain(): this {
    this.refs++;
    return this;
  }

  release(): void {
    if (--this.refs === 0) this.native.dispose();
  }
}
