// Starts N real node processes of a worker through the collectives launcher and returns
// every rank's exit and the merged output.
import { dirname, join } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";

import { launch } from "@gmeta/collectives";
import type { LaunchResult } from "@gmeta/collectives";

export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

class Collect extends Writable {
  text = "";
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

export async function launchRanks(nproc: number, worker: string, args: string[] = []): Promise<{ result: LaunchResult; out: string }> {
  const out = new Collect();
  const command = [process.execPath, "--import", "tsx", join(PACKAGE_DIR, "test", "workers", worker), ...args];
  const result = await launch({ nproc, command, cwd: PACKAGE_DIR, env: { ...process.env }, stdout: out, stderr: out, graceMs: 2000 });
  return { result, out: out.text };
}
