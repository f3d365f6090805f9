import { join } from "node:path";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { latestCheckpoint } from "../src/run/runFiles.js";
import { gmeta, tmp, syntheticTasks } from "./helpers.js";

const dir = tmp("resume");

describe("checkpoints and --resume", () => {
  it("a run stopped at a checkpoint and resumed ends where the uninterrupted run ends (2 ranks)", async () => {
    const { prep } = await syntheticTasks(dir, { users: 300, items: 100, categories: 8, samplesPerUser: [6, 20], dense: 3, seed: 2 }, { minSupport: 2, minQuery: 2, seed: 2 });
    const full = join(dir, "full");
    const cut = join(dir, "cut");
    const r1 = gmeta(["train", "--data", prep.train, "--out", full, "--nproc", "2", "--tasks-per-batch", "8", "--epochs", "2", "--no-baseline", "--seed", "3", "--max-steps", "12"]);
    expect(r1.code, r1.stderr).toBe(0);
    const r2 = gmeta(["train", "--data", prep.train, "--out", cut, "--nproc", "2", "--tasks-per-batch", "8", "--epochs", "2", "--no-baseline", "--seed", "3", "--max-steps", "5", "--checkpoint-every", "4"]);
    expect(r2.code, r2.stderr).toBe(0);
    const r3 = gmeta(["train", "--data", prep.train, "--out", cut, "--nproc", "2", "--tasks-per-batch", "8", "--epochs", "2", "--no-baseline", "--seed", "3", "--max-steps", "12", "--resume"]);
    expect(r3.code, r3.stderr).toBe(0);
    expect(r3.stderr).toContain("resumed from");
    const a = JSON.parse(readFileSync(join(latestCheckpoint(full)!, "trainer.json"), "utf8")) as { step: number; params: number[][] };
    const b = JSON.parse(readFileSync(join(latestCheckpoint(cut)!, "trainer.json"), "utf8")) as { step: number; params: number[][] };
    expect(a.step).toBe(12);
    expect(b.step).toBe(12);
    let worst = 0;
    a.params.forEach((p, i) => p.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - b.params[i]![k]!)))));
    console.info(`resume vs uninterrupted: max |diff| of dense parameters ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-6);
    // Metrics of a resumed run hold each step once.
    const steps = readFileSync(join(cut, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { step: number }).step);
    expect(steps).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));

    // A finished run is not replaced by accident, nor damaged by bad input.
    const again = gmeta(["train", "--data", prep.train, "--out", full, "--no-baseline"]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`gmeta train: ${full} already holds a run; pass --resume to continue it or --overwrite to replace it`);
    const typo = gmeta(["train", "--data", join(dir, "typo"), "--out", full, "--overwrite", "--no-baseline"]);
    expect(typo.code).toBe(1);
    expect(latestCheckpoint(full)).not.toBeNull();
    // A resumed run must keep what the checkpoint's state means.
    const changed = gmeta(["train", "--data", prep.train, "--out", cut, "--nproc", "2", "--tasks-per-batch", "4", "--epochs", "2", "--no-baseline", "--seed", "3", "--resume"]);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toContain("gmeta train --resume: expected tasksPerBatch 8");
  });
});
