import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launch } from "@gmeta/collectives";
import { backends } from "@gmeta/tensor";
import { afterAll, describe, expect, it } from "vitest";
import { maxDiff } from "./toyTraining.js";
import type { ToyRun } from "./toyTraining.js";

const dir = mkdtempSync(join(tmpdir(), "gmeta-maml-dist-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const worker = fileURLToPath(new URL("./workers/trainWorker.ts", import.meta.url));
const ALGORITHMS = ["maml", "fomaml", "metasgd", "plain"];

/** One launch of `nproc` ranks training every algorithm in turn; rank 0's runs by algorithm (a launch made before is reused). */
const launched = new Map<string, Promise<Record<string, ToyRun>>>();
function run(nproc: number, strategy: string, tables: string, path = "cpu", algorithms = ALGORITHMS, prepare = "inline"): Promise<Record<string, ToyRun>> {
  const key = `${nproc}-${strategy}-${tables}-${path}-${algorithms.join("_")}-${prepare}`;
  const known = launched.get(key);
  if (known) return known;
  const out = join(dir, `${key}.json`);
  const done = launch({ nproc, command: [process.execPath, "--import", "tsx", worker, out, strategy, "3", tables, path, algorithms.join(","), prepare], graceMs: 2000 }).then((res) => {
    expect(res.exitCode, `launch of ${nproc} ranks (${strategy}, ${tables}, ${path}, ${prepare})`).toBe(0);
    return JSON.parse(readFileSync(out, "utf8")) as Record<string, ToyRun>;
  });
  launched.set(key, done);
  return done;
}

/** Parameters and every step's query and support losses agree with the reference run. */
function expectSame(label: string, ref: ToyRun, other: ToyRun, tol: number): void {
  expect(maxDiff(ref, other), `${label}: parameters`).toBeLessThan(tol);
  other.losses.forEach((l, i) => expect(Math.abs(l - ref.losses[i]!), `${label}: query loss of step ${i + 1}`).toBeLessThan(tol));
  other.supportLosses.forEach((l, i) => expect(Math.abs(l - ref.supportLosses[i]!), `${label}: support loss of step ${i + 1}`).toBeLessThan(tol));
}

const cuda = backends().cuda;
if (!cuda.available) console.info(`[gmeta-maml tests] cuda: meta-training on cuda:0 is skipped (${cuda.reason})`);

describe.runIf(cuda.available)("meta-training on cuda:0 (meta-step and tables on the GPU) equals the CPU", () => {
  it("1 and 2 ranks on cuda:0 give the 1-rank CPU parameters", async () => {
    const one = (await run(1, "gmeta", "row-wise", "cpu", ["maml"])).maml!;
    const gpu1 = (await run(1, "gmeta", "row-wise", "cuda:0", ["maml"])).maml!;
    const gpu2 = (await run(2, "gmeta", "row-wise", "cuda:0", ["maml"])).maml!;
    console.info(`max |diff| vs CPU: cuda:0 1 rank ${maxDiff(one, gpu1).toExponential(2)}, 2 ranks ${maxDiff(one, gpu2).toExponential(2)}`);
    expectSame("cuda:0, 1 rank", one, gpu1, 1e-4);
    expectSame("cuda:0, 2 ranks", one, gpu2, 1e-4);
  });
});

describe("distributed meta-training equals single-process (real Gloo processes)", () => {
  it("every algorithm and the non-meta baseline: 1 rank == 2 ranks (row-wise, table-wise) == 3 ranks naive", async () => {
    const [one, two, twoTw, naive] = await Promise.all([
      run(1, "gmeta", "row-wise"), run(2, "gmeta", "row-wise"), run(2, "gmeta", "table-wise"), run(3, "naive", "row-wise"),
    ]);
    // Training must have moved both dense weights and embedding rows, or equality proves nothing.
    const moved = (a: Record<string, number[]>, b: Record<string, number[]>) =>
      Math.max(...Object.keys(a).flatMap((k) => a[k]!.map((v, i) => Math.abs(v - b[k]![i]!))));
    for (const alg of ALGORITHMS) {
      const ref = one[alg]!;
      console.info(`${alg}: max |diff| vs 1 rank: 2 ranks row-wise ${maxDiff(ref, two[alg]!).toExponential(2)}, table-wise ${maxDiff(ref, twoTw[alg]!).toExponential(2)}, 3 ranks naive ${maxDiff(ref, naive[alg]!).toExponential(2)}; losses ${ref.losses.map((l) => l.toFixed(4)).join(", ")}`);
      expect(moved(ref.tables, ref.initialTables), `${alg}: rows moved`).toBeGreaterThan(1e-3);
      expect(moved(ref.dense, ref.initialDense), `${alg}: dense weights moved`).toBeGreaterThan(1e-3);
      expectSame(`${alg}, 2 ranks row-wise`, ref, two[alg]!, 2e-5);
      expectSame(`${alg}, 2 ranks table-wise`, ref, twoTw[alg]!, 2e-5);
      expectSame(`${alg}, 3 ranks naive`, ref, naive[alg]!, 2e-5);
      for (const [label, r] of [["1 rank", ref], ["2 ranks", two[alg]!], ["3 ranks naive", naive[alg]!]] as const) {
        expect(r.leftAlive, `${alg}, ${label}: tensors a step left alive, per step`).toEqual([0, 0, 0]);
        // The step's phases are measured back to back on one clock that also gives the step's seconds: none is
        // negative, the learner's is not zero, and together they are the step (to rounding), however loaded the machine.
        for (const share of r.timedShare) expect(Math.abs(share - 1), `${alg}, ${label}: phase timings over the step's seconds`).toBeLessThan(1e-9);
      }
    }
  });
});

describe("batches prepared by the trainer's loader transform (real Gloo processes)", () => {
  it("give every algorithm bit-identical losses and parameters to raw batches on 2 ranks", async () => {
    const [raw, pre] = await Promise.all([run(2, "gmeta", "row-wise"), run(2, "gmeta", "row-wise", "cpu", ALGORITHMS, "transform")]);
    for (const alg of ALGORITHMS) {
      expect(pre[alg]!.losses, `${alg}: query losses`).toEqual(raw[alg]!.losses);
      expect(pre[alg]!.supportLosses, `${alg}: support losses`).toEqual(raw[alg]!.supportLosses);
      expect(pre[alg]!.dense, `${alg}: dense parameters`).toEqual(raw[alg]!.dense);
      expect(pre[alg]!.tables, `${alg}: tables`).toEqual(raw[alg]!.tables);
      expect(pre[alg]!.leftAlive, `${alg}: tensors a step left alive, per step`).toEqual([0, 0, 0]);
    }
  });
});
