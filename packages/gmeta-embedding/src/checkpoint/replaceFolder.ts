import { existsSync, renameSync, rmSync } from "node:fs";

/**
 * Puts the finished folder `tmp` in the place of `final` by renames: an older `final` stays whole
 * (as `final.old`) until the new one is in place, so a crash leaves one complete folder.
 */
export function replaceFolder(tmp: string, final: string): void {
  const old = `${final}.old`;
  rmSync(old, { recursive: true, force: true });
  if (existsSync(final)) renameSync(final, old);
  renameSync(tmp, final);
  rmSync(old, { recursive: true, force: true });
}
