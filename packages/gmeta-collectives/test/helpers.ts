// Shared by the multi-process tests: run workers through launch() and collect their output.
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { launch, type LaunchOptions, type LaunchResult } from "../src/index.js";

export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The command that runs a TypeScript worker in test/workers with tsx. */
export function workerCommand(file: string, ...args: string[]): string[] {
  return [process.execPath, "--import", "tsx", join(PACKAGE_DIR, "test", "workers", file), ...args];
}

/** Collects everything written to it. */
export class Collect extends Writable {
  text = "";
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

/** Launches nproc ranks of a worker; resolves with the result and the merged output. */
export async function launchWorker(
  nproc: number,
  command: string[],
  env: NodeJS.ProcessEnv = {},
  master?: string,
): Promise<{ result: LaunchResult; out: string }> {
  const out = new Collect();
  // The abort stops the ranks if a test hangs, so a timed-out test leaves no process behind.
  const signal = AbortSignal.timeout(90_000);
  const result = await launch({ nproc, command, cwd: PACKAGE_DIR, env: { ...process.env, ...env }, stdout: out, stderr: out, graceMs: 2000, signal, ...(master ? { master } : {}) });
  return { result, out: out.text };
}

/** Whether a process with this pid still exists. */
export function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** launch() with any options, output collected, and the same 90 s safety abort. */
export async function launchWorkerWith(opts: LaunchOptions): Promise<{ result: LaunchResult; out: string }> {
  const out = new Collect();
  const result = await launch({ cwd: PACKAGE_DIR, graceMs: 2000, ...opts, stdout: out, stderr: out, signal: AbortSignal.timeout(90_000) });
  return { result, out: out.text };
}
