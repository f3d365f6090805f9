import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ncclAvailability } from "@gmeta/collectives";
import { info } from "@gmeta/tensor";
import { describe, expect, it } from "vitest";
import { latestCheckpoint } from "../src/run/runFiles.js";
import { gmeta, tmp, syntheticTasks } from "./helpers.js";

const cuda = info().cuda;
const dir = tmp("device");

describe("the meta-step on a CUDA device", () => {
  if (!cuda.available) {
    // Printed so a CPU-only run says why this half did not run; it never passes silently.
    console.info(`[gmeta-cli tests] --device cuda:0 training is not checked: ${cuda.reason}`);
    it.skip(`needs a CUDA device (${cuda.reason})`, () => {});
    return;
  }
  it("trains, resumes and evaluates on cuda:0 with the parameters of the same run on the CPU", async () => {
    const { prep } = await syntheticTasks(dir, { users: 200, items: 80, categories: 6, samplesPerUser: [6, 20], dense: 3, seed: 4 }, { minSupport: 2, minQuery: 2, holdout: 0.25, seed: 4 });
    const common = ["--data", prep.train, "--tasks-per-batch", "8", "--no-baseline", "--seed", "2", "--max-steps", "4", "--checkpoint-every", "2"];
    const cpu = gmeta(["train", ...common, "--out", join(dir, "cpu")]);
    expect(cpu.code, cpu.stderr).toBe(0);
    const gpu = gmeta(["train", ...common, "--out", join(dir, "gpu"), "--device", "cuda:0"]);
    expect(gpu.code, gpu.stderr).toBe(0);
    const a = JSON.parse(readFileSync(join(latestCheckpoint(join(dir, "cpu"))!, "trainer.json"), "utf8")) as { params: number[][] };
    const b = JSON.parse(readFileSync(join(latestCheckpoint(join(dir, "gpu"))!, "trainer.json"), "utf8")) as { params: number[][] };
    let worst = 0;
    a.params.forEach((p, i) => p.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - b.params[i]![k]!)))));
    expect(worst).toBeLessThan(1e-4);
    const ev = gmeta(["eval", "--run", join(dir, "gpu"), "--data", prep.test!]);
    expect(ev.code, ev.stderr).toBe(0);
    // NCCL (one rank): the dense buckets are reduced on the GPU; same parameters again.
    const ncclStatus = ncclAvailability();
    if (!ncclStatus.available) {
      console.info(`[gmeta-cli tests] --backend nccl training is not checked: ${ncclStatus.reason}`);
      return;
    }
    const nccl = gmeta(["train", ...common, "--out", join(dir, "nccl"), "--device", "cuda:0", "--backend", "nccl"]);
    expect(nccl.code, nccl.stderr).toBe(0);
    const c = JSON.parse(readFileSync(join(latestCheckpoint(join(dir, "nccl"))!, "trainer.json"), "utf8")) as { params: number[][] };
    let worstNccl = 0;
    a.params.forEach((p, i) => p.forEach((v, k) => (worstNccl = Math.max(worstNccl, Math.abs(v - c.params[i]![k]!)))));
    expect(worstNccl).toBeLessThan(1e-4);
  });
});
