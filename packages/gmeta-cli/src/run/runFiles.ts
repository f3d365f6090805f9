import { appendFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { explainFsError, readJsonFile } from "@gmeta/io";
import type { z } from "zod";
import { UsageError } from "../args.js";

/** Writes a file whole or not at all: a temporary name, then a rename; the temporary goes on failure. */
export function writeAtomic(file: string, data: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw explainFsError(e, file, "write");
  }
}

export function writeJson(file: string, value: unknown): void {
  writeAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Reads a project file and checks it against its schema; errors name the file and the field. */
export function readChecked<S extends z.ZodType>(file: string, schema: S): z.infer<S> {
  return readJsonFile(file, schema);
}

/** Appends one JSON line (metrics.jsonl). */
export function appendJsonl(file: string, value: unknown): void {
  try {
    appendFileSync(file, `${JSON.stringify(value)}\n`);
  } catch (e) {
    throw explainFsError(e, file, "write");
  }
}

/** RUN/config.json, the config a run was trained with; a folder without one is a usage error of `gmeta <cmd>`. */
export function runConfigFile(cmd: string, run: string): string {
  const file = join(run, "config.json");
  if (!existsSync(file)) throw new UsageError(`gmeta ${cmd}: ${run}: not a run folder (no config.json)`);
  return file;
}

/** The newest complete checkpoint folder of a run, or null. */
export function latestCheckpoint(runDir: string): string | null {
  const dir = join(runDir, "checkpoints");
  if (!existsSync(dir)) return null;
  const steps = readdirSync(dir)
    .map((n) => /^step-(\d+)$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null && existsSync(join(dir, m[0], "trainer.json")))
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  return steps.length ? join(dir, `step-${String(steps[steps.length - 1]).padStart(6, "0")}`) : null;
}

/** Removes checkpoints a crash or an interrupt left half-written (`*.partial`, `*.old`, `*.tmp`). */
export function removePartialCheckpoints(runDir: string): string[] {
  const dir = join(runDir, "checkpoints");
  if (!existsSync(dir)) return [];
  const stale = readdirSync(dir).filter((n) => /\.(partial|old|tmp)$/.test(n) || /\.tmp-/.test(n));
  for (const n of stale) rmSync(join(dir, n), { recursive: true, force: true });
  return stale;
}
