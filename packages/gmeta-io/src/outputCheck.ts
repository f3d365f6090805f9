import { accessSync, constants, existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { explainFsError, FsError } from "./fsError.js";

/**
 * Refuses an output path whose folder cannot be created or written, before anything is
 * written: the nearest existing ancestor must be a writable folder on a writable file system.
 */
export function checkWritableTarget(target: string): void {
  let dir = dirname(resolve(target));
  while (!existsSync(dir)) {
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  try {
    if (!statSync(dir).isDirectory()) throw new FsError(dir, `create ${target}`, "ENOTDIR");
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw explainFsError(e, dir, `create ${target}`);
  }
}
