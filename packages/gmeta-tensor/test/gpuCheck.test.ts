// The GPU check's own cases (bench/gpu-check), run here on the CPU against the CPU so its
// harness and the trainer's math are exercised on every machine; on cuda:0 where one exists.
import { describe, expect, it } from "vitest";
import { runConformance } from "../bench/gpu-check/conformance.js";
import { mamlSteps } from "../bench/gpu-check/mamlStep.js";
import { devices } from "./helpers.js";

describe.each(devices())("GPU-check cases on %s against the CPU", (device) => {
  it("every op conformance case agrees", () => {
    const results = runConformance(device, Date.now() % 100000);
    expect(results.length).toBeGreaterThan(10);
    for (const r of results) expect(r.detail, r.name).toBe("");
  });

  it("meta-training steps give the CPU's losses and parameters", () => {
    const cpu = mamlSteps("cpu", 2);
    const dev = mamlSteps(device, 2);
    expect(cpu.losses.every(Number.isFinite)).toBe(true);
    for (let i = 0; i < cpu.losses.length; i++) expect(Math.abs(dev.losses[i]! - cpu.losses[i]!)).toBeLessThan(1e-4);
    let worst = 0;
    for (let p = 0; p < cpu.params.length; p++)
      for (let j = 0; j < cpu.params[p]!.length; j++) worst = Math.max(worst, Math.abs(dev.params[p]![j]! - cpu.params[p]![j]!));
    expect(worst).toBeLessThan(1e-4);
  });
});
