import { promises as fsp } from "node:fs";
import { basename, dirname, join } from "node:path";

/** A temporary sibling path for `target`; renaming it onto `target` publishes it at once. */
export function tempSibling(target: string): string {
  const tag = `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  return join(dirname(target), `.${basename(target)}.tmp-${tag}`);
}

/** Writes bytes to a temporary name and renames it onto `target` when complete. */
export async function writeFileAtomic(target: string, data: Uint8Array | string): Promise<void> {
  const tmp = tempSibling(target);
  try {
    await fsp.writeFile(tmp, data);
    await fsp.rename(tmp, target);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw e;
  }
}
