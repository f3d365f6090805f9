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

type Out = ToyRun;

async function run(nproc: number, strategy: string, tables: string, path = "host"): Promise<Out> {
  const out = join(dir, `${nproc}-${strategy}-${tables}-${path}.json`);
  const res = await launch({ nproc, command: [process.execPath, "--import", "tsx", worker, out, strategy, "3", tables, path], graceMs: 2000 });
  expect(res.exitCode, `launch of ${nproc} ranks (${strategy}, ${tables}, ${path})`).toBe(0);
  return JSON.parse(readFileSync(out, "utf8")) as Out;
}

const cuda = backends().cuda;
if (!cuda.available) console.info(`[gmeta-maml tests] cuda: meta-training on cuda:0 is skipped (${cuda.reason})`);

describe.runIf(cuda.available)("meta-training on cuda:0 (meta-step and tables on the GPU) equals the CPU", () => {
  it("1 and 2 ranks on cuda:0 give the 1-rank CPU parameters", async () => {
    const one = await run(1, "gmeta", "row-wise");
    const gpu1 = await run(1, "gmeta", "row-wise", "cuda:0");
    const gpu2 = await run(2, "gmeta", "row-wise", "cuda:0");
    console.info(`max |diff| vs CPU: cuda:0 1 rank ${maxDiff(one, gpu1).toExponential(2)}, 2 ranks ${maxDiff(one, gpu2).toExponential(2)}`);
    for (const other of [gpu1, gpu2]) {
      expect(maxDiff(one, other)).toBeLessThan(1e-4);
      other.losses.forEach((l, i) => expect(Math.abs(l - one.losses[i]!)).toBeLessThan(1e-4));
    }
  });
});

describe("distributed meta-training equals single-process (real Gloo processes)", () => {
  it("gmeta: 2 ranks (row-wise and table-wise) and 1 rank give the same parameters; naive gives them too", async () => {
    const one = await run(1, "gmeta", "row-wise");
    const two = await run(2, "gmeta", "row-wise");
    const twoTw = await run(2, "gmeta", "table-wise");
    const naive = await run(2, "naive", "row-wise");
    // The tables' device path (gather, exchange and fused update as tensors), here on the CPU.
    const tensorPath = await run(2, "gmeta", "row-wise", "tensor");
    // Training must have moved both dense weights and embedding rows, or equality proves nothing.
    const moved = (a: Record<string, number[]>, b: Record<string, number[]>) =>
      Math.max(...Object.keys(a).flatMap((k) => a[k]!.map((v, i) => Math.abs(v - b[k]![i]!))));
    const movedTables = moved(one.tables, one.initialTables);
    const movedDense = moved(one.dense, one.initialDense);
    console.info(`max |diff| vs 1 rank: 2 ranks row-wise ${maxDiff(one, two).toExponential(2)}, table-wise ${maxDiff(one, twoTw).toExponential(2)}, naive ${maxDiff(one, naive).toExponential(2)}, tensor path ${maxDiff(one, tensorPath).toExponential(2)}; losses ${one.losses.map((l) => l.toFixed(4)).join(", ")}`);
    expect(movedTables).toBeGreaterThan(1e-3);
    expect(movedDense).toBeGreaterThan(1e-3);
    for (const other of [two, twoTw, naive, tensorPath]) {
      expect(maxDiff(one, other)).toBeLessThan(2e-5);
      other.losses.forEach((l, i) => expect(Math.abs(l - one.losses[i]!)).toBeLessThan(1e-5));
    }
  });
});
