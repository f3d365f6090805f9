import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { syntheticSchema } from "@gmeta/io";
import { afterAll } from "vitest";
import { type PrepareArgs, runPrepare } from "../src/commands/prepare.js";
import { runSynth, type SynthArgs } from "../src/commands/synth.js";

export const BIN = fileURLToPath(new URL("../dist/bin.js", import.meta.url));

/** Runs the built `gmeta` command and returns its exit status and output. */
export function gmeta(args: string[], cwd?: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd, timeout: 600_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A temporary folder removed after the file's tests. */
export function tmp(tag: string): string {
  const dir = mkdtempSync(join(tmpdir(), `gmeta-cli-${tag}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * The start of most CLI tests: synthetic raw data (DIR/raw.arrow) grouped into tasks (DIR/tasks,
 * half of each task's samples in its query set). Returns the synthesis (its file and oracle AUC)
 * and the prepared train / held-out folders.
 */
export async function syntheticTasks(dir: string, synth: Omit<SynthArgs, "out">, split: Pick<PrepareArgs, "minSupport" | "minQuery" | "seed" | "holdout">) {
  const syn = await runSynth({ out: join(dir, "raw.arrow"), ...synth });
  const prep = await runPrepare({
    input: [syn.file], out: join(dir, "tasks"), schema: syntheticSchema(synth.dense), schemaName: `synthetic:${synth.dense}`, query: 0.5,
    memoryMiB: 64, overwrite: true, ...split,
  });
  return { syn, prep };
}
