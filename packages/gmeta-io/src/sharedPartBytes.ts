import { promises as fsp } from "node:fs";
import { join } from "node:path";
import { DataError } from "./dataError.js";

/**
 * Part files read once on the loader's thread into shared memory, so every decode worker
 * gathers from the same bytes: with several workers a part is read once, not once per worker
 * whose batches touch it. Reads go through the asynchronous file API (off the calling thread)
 * and are kept for the last few parts.
 */
export class SharedPartBytes {
  private cache = new Map<number, Promise<Uint8Array>>();

  constructor(
    private readonly dir: string,
    private readonly files: string[],
    private readonly capacity = 4,
  ) {}

  /** The bytes of part `part`, as a view of a SharedArrayBuffer. */
  get(part: number): Promise<Uint8Array> {
    const hit = this.cache.get(part);
    if (hit) {
      this.cache.delete(part);
      this.cache.set(part, hit);
      return hit;
    }
    const bytes = this.read(join(this.dir, this.files[part]!));
    bytes.catch(() => this.cache.delete(part));
    this.cache.set(part, bytes);
    if (this.cache.size > this.capacity) this.cache.delete(this.cache.keys().next().value!);
    return bytes;
  }

  private async read(file: string): Promise<Uint8Array> {
    try {
      const h = await fsp.open(file, "r");
      try {
        const { size } = await h.stat();
        const bytes = new Uint8Array(new SharedArrayBuffer(size));
        for (let at = 0; at < size; ) {
          const { bytesRead } = await h.read(bytes, at, size - at, at);
          if (bytesRead === 0) throw new Error(`file ended after ${at} of ${size} bytes`);
          at += bytesRead;
        }
        return bytes;
      } finally {
        await h.close();
      }
    } catch (e) {
      throw new DataError({ file }, `cannot read part file (${(e as Error).message})`);
    }
  }
}
