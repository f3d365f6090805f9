// The GPU check program, bundled into one file (tsup.config.ts here) so it runs on a machine
// with Node but no node_modules. scripts/gpu-check.sh runs it; --dry-run runs the CPU half
// here (every case against itself on the CPU, small benchmark sizes, no PyTorch).
//
//   node gpu-check.mjs [--dry-run] [--device cuda:0] [--torch <json file>] [--out <dir>]
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import * as T from "@gmeta/tensor";
import type { Device } from "@gmeta/tensor";
import { ncclAvailability } from "@gmeta/collectives";
import { ncclCheck } from "../../packages/gmeta-collectives/bench/ncclCheck.js";
import { runConformance } from "../../packages/gmeta-tensor/bench/gpu-check/conformance.js";
import { mamlSteps, SIZES } from "../../packages/gmeta-tensor/bench/gpu-check/mamlStep.js";
import { badIndexCase, compiledStepCases, fallbackCase, replayTimes, SMALL } from "../../packages/gmeta-tensor/bench/gpu-check/compiledStep.js";
import { timeOn } from "../../packages/gmeta-tensor/bench/gpu-check/timing.js";
import { embeddingCheck, sparseUpdateBench } from "../../packages/gmeta-embedding/bench/gpu-check/embeddingCheck.js";
import { embeddingCudaStatus } from "@gmeta/embedding";
import { trainerCheck } from "../../packages/gmeta-maml/bench/gpu-check/trainerCheck.js";

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const opt = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const dry = flag("--dry-run");
const device = (dry ? "cpu" : opt("--device") ?? "cuda:0") as Device;
const outDir = opt("--out");
const torchFile = opt("--torch");
// --only graphs: the compiled-step / CUDA-graph part alone (a short run).
const only = opt("--only");
const lines: string[] = [];
const say = (s = "") => {
  lines.push(s);
  console.log(s);
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

// Device time by CUDA events on a GPU, host time in the dry run (see timing.ts).
const time = (fn: () => void, reps: number): number => timeOn(device, fn, reps);

/** Runs one part of the check; an exception fails that part and the check goes on. */
async function part(name: string, fn: () => Promise<number> | number): Promise<number> {
  try {
    return await fn();
  } catch (e) {
    say(`FAIL ${name}: ${(e as Error).stack ?? e}`);
    return 1;
  }
}

/** Prints the benchmark table and the verdict, writes the log under --out; the exit code. */
function finish(rows: string[][], failures: number, gpu?: string): number {
  say(`| figure | gmeta | reference | ratio |\n|---|---|---|---|`);
  for (const r of rows) say(`| ${r.join(" | ")} |`);
  if (gpu) say(`GPU: ${gpu}`);
  say(`\n${failures === 0 ? "PASS" : `FAIL (${failures})`}`);
  if (outDir) {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, "gpu-check.md"), `${lines.join("\n")}\n`);
  }
  return failures === 0 ? 0 : 1;
}

async function main(): Promise<number> {
  if (flag("--sizes")) {
    // The meta-step sizes, for the PyTorch peer to run the same step.
    console.log(JSON.stringify(SIZES));
    return 0;
  }
  const b = T.backends();
  say(`# gmeta GPU check on ${device}${dry ? " (dry run: the CPU half only)" : ""}`);
  say(`cuda: ${b.cuda.available ? `${b.cuda.devices} device(s)` : b.cuda.reason}`);
  say(`cublas: ${b.cublas.available ? b.cublas.path : b.cublas.reason.split("\n")[0]}`);
  const nccl = ncclAvailability();
  say(`nccl: ${nccl.available ? `${nccl.version} ${nccl.path}` : nccl.reason}`);
  const emb = embeddingCudaStatus();
  say(`embedding kernels: ${emb.compiled ? (emb.usable ? "compiled, usable" : `compiled, not usable: ${emb.reason}`) : emb.reason}`);
  if (!dry && !b.cuda.available) {
    say("FAIL: no CUDA device; nothing to check");
    return 1;
  }
  let failures = 0;

  const rows: [string, string, string, string][] = [];
  failures += await part("compiled step / CUDA graphs", () => {
    say("\n## compiled meta-step: CUDA graph replay vs op-by-op replay vs eager vs CPU");
    let bad = 0;
    const sizes = dry ? [SMALL] : [SMALL, SIZES];
    for (const S of sizes) {
      say(`sizes ${JSON.stringify(S)}`);
      for (const r of compiledStepCases(device, S, 3)) {
        if (!r.ok) bad++;
        say(`${r.ok ? "ok  " : "FAIL"} ${r.name.padEnd(58)} ${r.detail}`);
      }
    }
    for (const r of [badIndexCase(device), fallbackCase(device)]) {
      if (!r.ok) bad++;
      say(`${r.ok ? "ok  " : "FAIL"} ${r.name.padEnd(58)} ${r.detail}`);
    }
    const t = replayTimes(device, dry ? SMALL : SIZES, time, dry ? 3 : 20);
    const ms = (x: number) => (x * 1e3).toFixed(3);
    say(`replay of ${t.ops} ops: graph ${ms(t.graph)} ms (cudaGraph ${t.cudaGraph}), op by op ${ms(t.plain)} ms, eager ${ms(t.eager)} ms`);
    const how = t.cudaGraph ? "CUDA graph" : "no CUDA graph";
    rows.push([`compiled step ms (${t.ops} ops, ${how})`, ms(t.graph), `${ms(t.plain)} (op-by-op replay)`, (t.plain / t.graph).toFixed(2)]);
    rows.push([`compiled step ms (${how})`, ms(t.graph), `${ms(t.eager)} (eager)`, (t.eager / t.graph).toFixed(2)]);
    return bad;
  });
  if (only === "graphs") return finish(rows, failures);

  failures += await part("op conformance", () => {
    say("\n## op conformance: device vs CPU on fresh random inputs");
    const seed = Number(opt("--seed") ?? (Date.now() % 100000));
    say(`seed ${seed}`);
    let bad = 0;
    for (const r of runConformance(device, seed)) {
      if (!r.ok) bad++;
      say(`${r.ok ? "ok  " : "FAIL"} ${r.name.padEnd(58)} max|diff| ${r.maxDiff.toExponential(2)}${r.detail ? `  ${r.detail}` : ""}`);
    }
    return bad;
  });

  failures += await part("meta-training steps", () => {
    say("\n## meta-training steps: device vs CPU (5 steps, same data)");
    const cpu = mamlSteps("cpu", 5);
    const dev = mamlSteps(device, 5);
    let worst = 0;
    for (let i = 0; i < cpu.losses.length; i++) worst = Math.max(worst, Math.abs(cpu.losses[i]! - dev.losses[i]!));
    let worstP = 0;
    for (let p = 0; p < cpu.params.length; p++) for (let j = 0; j < cpu.params[p]!.length; j++) worstP = Math.max(worstP, Math.abs(cpu.params[p]![j]! - dev.params[p]![j]!));
    const mamlOk = worst < 1e-4 && worstP < 1e-4;
    say(`${mamlOk ? "ok  " : "FAIL"} query losses ${dev.losses.map((l) => l.toFixed(5)).join(" ")}; max|diff| loss ${worst.toExponential(2)}, params ${worstP.toExponential(2)}`);
    return mamlOk ? 0 : 1;
  });

  failures += await part("embedding", async () => {
    say("\n## embedding: sharded rows on the device vs the unsharded host table (4 steps)");
    let bad = 0;
    for (const r of await embeddingCheck(device)) {
      if (!r.ok) bad++;
      say(`${r.ok ? "ok  " : "FAIL"} ${r.name.padEnd(58)} ${r.detail}`);
    }
    return bad;
  });

  failures += await part("meta-trainer", async () => {
    say("\n## meta-trainer: meta-step and tables on the device vs the CPU (3 steps, 1 rank)");
    let bad = 0;
    for (const r of await trainerCheck(device)) {
      if (!r.ok) bad++;
      say(`${r.ran ? (r.ok ? "ok  " : "FAIL") : "skip"} ${r.name.padEnd(58)} ${r.detail}`);
    }
    return bad;
  });

  failures += await part("NCCL", async () => {
    say("\n## NCCL");
    const nc = dry ? { ran: false, ok: true, detail: "skipped: dry run" } : await ncclCheck(device);
    say(`${nc.ran ? (nc.ok ? "ok  " : "FAIL") : "skip"} ${nc.detail}`);
    return nc.ok ? 0 : 1;
  });

  say("\n## benchmark");
  const torch = torchFile ? (JSON.parse(readFileSync(torchFile, "utf8")) as { gemm_s: number; gemm_n: number; step_s: number; torch: string; gpu: string }) : undefined;
  const n = torch?.gemm_n ?? (dry ? 256 : 4096);
  failures += await part("benchmark: GEMM", () => T.tidy(() => {
    const a = T.rand([n, n]).to(device);
    const bb = T.rand([n, n]).to(device);
    const tg = time(() => T.matmul(a, bb).dispose(), dry ? 3 : 20);
    const ours = (2 * n ** 3) / tg / 1e12;
    const ref = torch ? (2 * n ** 3) / torch.gemm_s / 1e12 : NaN;
    rows.push([`GEMM f32 ${n}³ TFLOP/s`, ours.toFixed(2), torch ? `${ref.toFixed(2)} (torch.matmul)` : "n/a", torch ? (ours / ref).toFixed(2) : "n/a"]);
    return 0;
  }));
  failures += await part("benchmark: gather / scatter", () => T.tidy(() => {
    const V = dry ? 1 << 14 : 1 << 20;
    const dim = 64;
    const m = dry ? 1 << 13 : 1 << 18;
    const table = T.rand([V, dim]).to(device);
    const ids = T.randint(0, V, [m], { dtype: "int32" }).to(device);
    const src = T.rand([m, dim]).to(device);
    const bytes = 2 * m * dim * 4;
    const tGather = time(() => T.gatherRows(table, ids).dispose(), 20);
    const tScatter = time(() => T.scatterAddRows(src, ids, V).dispose(), 20);
    const big = T.rand([m * dim]).to(device);
    const dst = T.empty([m * dim], { device });
    // cudaMemcpyAsync device to device through the storage copy (addon.copy), the same bytes.
    const tCopy = time(() => T.copyInto(dst, big), 20);
    const memcpy = bytes / tCopy / 1e9;
    rows.push([`gatherRows ${m}×${dim} GB/s`, (bytes / tGather / 1e9).toFixed(1), `${memcpy.toFixed(1)} (device memcpy)`, (bytes / tGather / 1e9 / memcpy).toFixed(2)]);
    rows.push([`scatterAddRows ${m}×${dim} GB/s`, (bytes / tScatter / 1e9).toFixed(1), `${memcpy.toFixed(1)} (device memcpy)`, (bytes / tScatter / 1e9 / memcpy).toFixed(2)]);
    return 0;
  }));
  failures += await part("benchmark: fused sparse update", () => {
    rows.push(dry ? sparseUpdateBench(device, 1 << 14, 1 << 12, 64, time) : sparseUpdateBench(device, 1 << 22, 1 << 18, 64, time));
    return 0;
  });
  failures += await part("benchmark: meta-step", () => {
    const tStep = median(Array.from({ length: dry ? 2 : 10 }, () => {
      const t0 = process.hrtime.bigint();
      mamlSteps(device, 1, 7);
      return Number(process.hrtime.bigint() - t0) / 1e9;
    }));
    const ours = SIZES.tasks * (SIZES.support + SIZES.query) / tStep;
    const ref = torch ? SIZES.tasks * (SIZES.support + SIZES.query) / torch.step_s : NaN;
    rows.push(["meta-training samples/s", ours.toFixed(0), torch ? `${ref.toFixed(0)} (PyTorch ${torch.torch})` : "n/a", torch ? (ours / ref).toFixed(2) : "n/a"]);
    return 0;
  });
  return finish(rows, failures, torch?.gpu);
}

main().then((code) => process.exit(code), (e) => {
  console.error(e);
  process.exit(1);
});
