// Compiled programs on a GPU replay as one CUDA graph (native/core/program_cuda.cc): the
// graph equals eager on the device and the CPU, graphs on and off agree, a bad index met
// inside a graph is an error naming the op, a program a graph cannot hold says why, and
// GMETA_CUDA_GRAPHS=0 turns graphs off. The same cases run on the CPU (where the stats say
// the program runs on the CPU) and on cuda:0 where a GPU exists; without one the CUDA half
// is skipped with the reason printed (helpers.devices). scripts/gpu-check.sh runs them too.
import { afterEach, describe, expect, it } from "vitest";
import { badIndexCase, compiledStepCases, fallbackCase } from "../bench/gpu-check/compiledStep.js";
import * as T from "../src/index.js";
import type { Tensor } from "../src/index.js";
import { devices } from "./helpers.js";

describe.each(devices())("compiled programs on %s", (device) => {
  const saved = process.env.GMETA_CUDA_GRAPHS;
  afterEach(() => {
    if (saved === undefined) delete process.env.GMETA_CUDA_GRAPHS;
    else process.env.GMETA_CUDA_GRAPHS = saved;
  });

  it("a second-order meta-step replays (as a CUDA graph on a GPU) equal to eager and to the CPU", () => {
    for (const r of compiledStepCases(device)) expect(r.ok, `${r.name}: ${r.detail}`).toBe(true);
  });

  it("a bad index met during a replay is an error naming the op, and replays go on", () => {
    const r = badIndexCase(device);
    expect(r.ok, r.detail).toBe(true);
  });

  it("a program a CUDA graph cannot hold replays op by op with the reason in its stats", () => {
    const r = fallbackCase(device);
    expect(r.ok, r.detail).toBe(true);
  });

  it("the cudaGraph option must be a boolean", () => {
    expect(() => T.compile(([x]: Tensor[]) => x!, { cudaGraph: "no" as unknown as boolean })).toThrow('compile: expected a boolean for cudaGraph, got no');
  });

  it("GMETA_CUDA_GRAPHS=0 turns graphs off for programs made after it is set", () => {
    process.env.GMETA_CUDA_GRAPHS = "0";
    const w = T.keep(T.tensor([1, 2, 3, 4], { shape: [2, 2] }).to(device));
    const f = T.compile(([x]: Tensor[]) => T.matmul(x!, w));
    try {
      for (let i = 0; i < 3; i++) {
        const out = f.run([{ data: Float32Array.from([i, 1]), shape: [1, 2], device }]);
        expect(Array.from(out.toArray() as Float32Array)).toEqual([i + 3, 2 * i + 4]);
      }
      const s = f.status()[0]!.stats!;
      expect(s.cudaGraph).toBe(false);
      expect(s.cudaGraphReason).toBe(device === "cpu" ? "the program runs on the CPU" : "CUDA graphs are off (GMETA_CUDA_GRAPHS=0)");
    } finally {
      f.dispose();
      w.dispose();
    }
  });
});
