import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

/** A fresh temporary folder removed after the file's tests. */
export function tmpDir(tag: string): string {
  const dir = mkdtempSync(join(tmpdir(), `gmeta-io-${tag}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
