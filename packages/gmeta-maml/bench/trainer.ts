/**
 * The whole meta-trainer (lookup, learner step, AllReduce, Adam, fused sparse Adagrad) on one
 * rank, compiled and eager, against an expert PyTorch peer (bench/trainer_torch.py) on the
 * same meta-batches, model and optimizers, in one run with the same thread count.
 *
 * Run: npm run bench:trainer -w @gmeta/maml [-- --tasks 32,128 --inner 1,3 --dims 16 --orders 2 --steps 8 --rounds 3]
 * Each configuration runs in rounds: our compiled steps, our eager steps, then the
 * peer's (one PyTorch process kept for the whole run), so a shared machine's changing load
 * falls on both sides alike. Prints per configuration the median samples/s over every
 * round's timed steps with the spread (min–max) of each, the ratios, and a roofline line:
 * FLOPs per step counted from the captured program, achieved GFLOP/s, the rate of the step's
 * own GEMM calls at its shapes (timed inside profiled replays, the fastest of five per kind
 * of op; the small-GEMM kernel where it beats OpenBLAS, OpenBLAS elsewhere; the two kernels'
 * rates at one shape side by side: gmeta_raw_bench small), and the step's time over its
 * arithmetic bound at that rate.
 */
import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { initProcessGroup } from "@gmeta/collectives";
import type { ProcessGroup } from "@gmeta/collectives";
import { planSharding, ShardedEmbeddingCollection } from "@gmeta/embedding";
import type { TableConfig } from "@gmeta/embedding";
import type { MetaBatch, SampleBlock } from "@gmeta/io";
import * as T from "@gmeta/tensor";
import { MetaDLRM, MetaLearner, MetaTrainer, prepareStep } from "../src/index.js";
import type { StepPrepConfig, StepTimings } from "../src/index.js";
import { rng } from "../test/fixtures.js";

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    tasks: { type: "string", default: "32,128,512" },
    inner: { type: "string", default: "1,3,5" },
    dims: { type: "string", default: "16,64" },
    orders: { type: "string", default: "2,1" },
    steps: { type: "string", default: "8" },
    rounds: { type: "string", default: "3" },
    warmup: { type: "string", default: "4" },
    threads: { type: "string", default: String(T.getNumThreads()) },
    // "ahead": batches are prepared before the timed steps on both sides, as the loader's
    // workers (gmeta train) and a DataLoader's workers do it overlapped with training;
    // "inline": preparation inside every timed step, on both sides.
    prepare: { type: "string", default: "ahead" },
  },
});
const list = (s: string) => s.split(",").map(Number);
const threads = Number(args.threads);
T.setNumThreads(threads);
const STEPS = Number(args.steps);
const ROUNDS = Number(args.rounds);
if (!(Number.isInteger(STEPS) && STEPS > 0)) throw new Error(`bench/trainer.ts: expected a positive integer for --steps, got "${args.steps}"`);
if (!(Number.isInteger(ROUNDS) && ROUNDS > 0)) throw new Error(`bench/trainer.ts: expected a positive integer for --rounds, got "${args.rounds}"`);
const PREPARE = args.prepare!;
if (PREPARE !== "ahead" && PREPARE !== "inline") throw new Error(`bench/trainer.ts: expected "ahead" or "inline" for --prepare, got "${PREPARE}"`);
const WARMUP = Number(args.warmup);
const SUPPORT = 16;
const QUERY = 16;
const DENSE = 8;
const VOCAB = { item: 50_000, cat: 100, tags: 1000 };
const POOLING = ["sum", "sum", "mean"] as const;

/** Zipf-like popularity: ids log-uniform over [0, n), so a few are frequent. */
const zipf = (r: () => number, n: number) => Math.min(n - 1, Math.floor(Math.exp(r() * Math.log(n + 1))) - 1);

function block(r: () => number, tasks: number, perTask: number): SampleBlock {
  const size = tasks * perTask;
  const single = (f: () => number) => ({
    ids: BigInt64Array.from({ length: size }, () => BigInt(f())),
    offsets: Int32Array.from({ length: size + 1 }, (_, i) => i),
  });
  const tagOffsets = new Int32Array(size + 1);
  const tags: bigint[] = [];
  for (let i = 0; i < size; i++) {
    const len = 1 + Math.floor(r() * 3);
    for (let j = 0; j < len; j++) tags.push(BigInt(zipf(r, VOCAB.tags)));
    tagOffsets[i + 1] = tags.length;
  }
  return {
    size,
    labels: Float32Array.from({ length: size }, () => (r() < 0.3 ? 1 : 0)),
    dense: Float32Array.from({ length: size * DENSE }, () => r() * 2 - 1),
    slots: [single(() => zipf(r, VOCAB.item)), single(() => Math.floor(r() * VOCAB.cat)), { ids: BigInt64Array.from(tags), offsets: tagOffsets }],
    taskOffsets: Int32Array.from({ length: tasks + 1 }, (_, t) => t * perTask),
  };
}

interface Config {
  tasks: number;
  innerSteps: number;
  dim: number;
  order: 1 | 2;
}

const BOTTOM = [32];
const TOP = [64, 32];
const INNER_LR = 0.1;
const OUTER_LR = 1e-3;
const EMB_LR = 0.05;

function makeTrainer(pg: ProcessGroup, c: Config, compile: boolean) {
  const model = new MetaDLRM({
    denseDim: DENSE, embeddingDim: c.dim, bottom: BOTTOM, top: TOP,
    slots: [{ name: "item", table: "item", pooling: "sum" }, { name: "cat", table: "cat", pooling: "sum" }, { name: "tags", table: "tags", pooling: "mean" }],
  });
  const learner = new MetaLearner(model, { algorithm: c.order === 2 ? "maml" : "fomaml", innerSteps: c.innerSteps, innerLr: INNER_LR, adapt: "all", seed: 0 });
  const tables: TableConfig[] = Object.entries(VOCAB).map(([name, rows], i) => ({ name, rows, dim: c.dim, init: { kind: "normal", std: 0.05 }, seed: i }));
  const optimizer = { kind: "adagrad" as const, lr: EMB_LR, rowWise: true };
  const plan = planSharding({ tables, worldSize: pg.size, optimizer });
  const collection = new ShardedEmbeddingCollection({ tables, plan, processGroup: pg, optimizer });
  const trainer = new MetaTrainer({ learner, processGroup: pg, embeddings: collection, outerLr: OUTER_LR, compile });
  return {
    trainer,
    dispose() {
      trainer.dispose();
      learner.dispose();
      collection.dispose();
    },
  };
}

/** A batch prepared ahead for `trainer` (its loader transform's own function), or as it is for --prepare inline. */
function ahead(trainer: MetaTrainer, b: Pick<MetaBatch, "support" | "query">): Pick<MetaBatch, "support" | "query" | "prepared"> {
  const spec = trainer.batchTransform();
  if (PREPARE === "inline" || !spec) return b;
  return { ...b, prepared: prepareStep(spec.options as StepPrepConfig, b) };
}

/** Each step gets its own copy of a prepared batch, as one arriving from a worker would be. */
function fresh(b: Pick<MetaBatch, "support" | "query" | "prepared">): Pick<MetaBatch, "support" | "query" | "prepared"> {
  return b.prepared ? { ...b, prepared: structuredClone(b.prepared) } : b;
}

/** One line per configuration: each phase's median share of the step, and the replay's split by op kind. */
function phaseLine(c: Config, phases: StepTimings[], prof: T.OpProfile[] | null): string {
  const keys = ["prepare", "lookup", "learner", "reduce", "sparse", "update"] as const;
  const m = keys.map((k) => med(phases.map((p) => p[k])));
  const total = m.reduce((a, b) => a + b, 0);
  let line = `T=${c.tasks} k=${c.innerSteps} d=${c.dim} ${c.order === 2 ? "2nd" : "1st"}`.padEnd(21);
  line += keys.map((k, i) => `${k} ${((100 * m[i]!) / total).toFixed(0)}%`).join(", ");
  if (prof) {
    const all = prof.reduce((a, p) => a + p.seconds, 0);
    const share = (f: (op: string) => boolean) => ((100 * prof.filter((p) => f(p.op)).reduce((a, p) => a + p.seconds, 0)) / all).toFixed(0);
    line += ` | replay: GEMM ${share((o) => o === "matmul")}%, elementwise ${share((o) => o === "binary" || o === "unary")}%, copies ${share((o) => o === "stridedCopy" || o === "zero" || o === "fill")}%, rows and segments ${share((o) => /Rows|segment|pair/.test(o))}%`;
  }
  return line;
}

/** Per op name, the fastest of five profiled replays (one replay's times swing with a shared machine's load). */
function steadiestProfile(trainer: MetaTrainer): T.OpProfile[] | null {
  let best: T.OpProfile[] | null = null;
  for (let i = 0; i < 5; i++) {
    const p = trainer.compileProfile();
    if (!p) return null;
    if (!best) best = p;
    else {
      const by = new Map(p.map((x) => [x.op, x]));
      best = best.map((x) => {
        const y = by.get(x.op);
        return y && y.seconds < x.seconds ? y : x;
      });
    }
  }
  return best;
}

const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const fmt = (x: number) => (x >= 1e4 ? `${(x / 1e3).toFixed(1)}K` : x.toFixed(0));

/** Median samples/s and spread of step times. */
function rate(seconds: number[], samples: number): { med: number; lo: number; hi: number } {
  return { med: samples / med(seconds), lo: samples / Math.max(...seconds), hi: samples / Math.min(...seconds) };
}

/**
 * The PyTorch peer as one process for the whole run (torch is imported once): each request is
 * a configuration's batches in a JSON file, each answer that round's timed step seconds.
 */
class TorchPeer {
  private readonly child: ChildProcessWithoutNullStreams | null;
  private readonly waiting: ((line: string | null) => void)[] = [];
  private stderr = "";
  readonly missing?: string;

  constructor(private readonly dir: string) {
    if (!existsSync("/usr/bin/python3")) {
      this.child = null;
      this.missing = "no /usr/bin/python3";
      return;
    }
    this.child = spawn("/usr/bin/python3", [join(here, "trainer_torch.py"), "--serve", String(threads)], {
      env: { ...process.env, OMP_NUM_THREADS: String(threads) }, stdio: ["pipe", "pipe", "pipe"],
    });
    this.child.stderr.on("data", (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-2000)));
    createInterface({ input: this.child.stdout }).on("line", (line) => this.waiting.shift()?.(line));
    this.child.on("close", () => {
      for (const w of this.waiting.splice(0)) w(null);
    });
  }

  /** Writes a configuration's batches for run(). */
  prepare(c: Config, batches: Pick<MetaBatch, "support" | "query">[]): string {
    const file = join(this.dir, `batches-${c.tasks}-${c.innerSteps}-${c.dim}-${c.order}.json`);
    const plainBlock = (b: SampleBlock) => ({
      labels: Array.from(b.labels), dense: Array.from(b.dense), taskOffsets: Array.from(b.taskOffsets),
      slots: b.slots.map((s) => ({ ids: Array.from(s.ids, Number), offsets: Array.from(s.offsets) })),
    });
    writeFileSync(file, JSON.stringify({
      config: {
        tasks: c.tasks, innerSteps: c.innerSteps, denseDim: DENSE, dim: c.dim, order: c.order, innerLr: INNER_LR, outerLr: OUTER_LR,
        embeddingLr: EMB_LR, vocab: Object.values(VOCAB), pooling: POOLING, bottom: BOTTOM, top: TOP,
      },
      warmup: WARMUP, steps: STEPS, prepare: PREPARE,
      batches: batches.map((b) => ({ support: plainBlock(b.support), query: plainBlock(b.query) })),
    }));
    return file;
  }

  /** One round of the peer on a prepared file: its own warm-up, then STEPS timed steps' seconds; a reason when it fails. */
  async run(file: string): Promise<number[] | string> {
    if (!this.child) return this.missing!;
    const line = await new Promise<string | null>((resolve) => {
      this.waiting.push(resolve);
      this.child!.stdin.write(`${file}\n`);
    });
    if (line === null) return `PyTorch peer failed: ${this.stderr.trim().split("\n").slice(-3).join(" ")}`;
    return (JSON.parse(line) as { seconds: number[] }).seconds;
  }

  close(): void {
    this.child?.stdin.end();
  }
}

async function main(): Promise<void> {
  const pg = await initProcessGroup({ backend: "gloo" });
  const dir = mkdtempSync(join(tmpdir(), "gmeta-bench-"));
  const peer = new TorchPeer(dir);
  console.log(`G-Meta trainer, compiled vs eager vs PyTorch: MetaDLRM (bottom ${DENSE}-${BOTTOM.join("-")}-dim, top ...-${TOP.join("-")}-1), ` +
    `item Zipf ${VOCAB.item}, cat ${VOCAB.cat}, tags 1-3 of ${VOCAB.tags}; ${SUPPORT}+${QUERY} samples per task; 1 rank, ${threads} thread(s); ` +
    `${ROUNDS} round(s) of ${STEPS} timed steps after ${WARMUP} warm-up, ours and the peer's in turn, medians (min–max) over all rounds; batches prepared ${PREPARE === "ahead" ? "ahead on both sides (as loader workers do)" : "inside each timed step on both sides"}`);
  console.log("config               compiled samples/s        eager samples/s           PyTorch samples/s         comp/torch  comp/eager | MFLOP/step  GFLOP/s  gemm@shapes   x bound");
  const phaseLines: string[] = [];
  try {
    for (const tasks of list(args.tasks!)) {
      for (const dim of list(args.dims!)) {
        for (const order of list(args.orders!) as (1 | 2)[]) {
          for (const innerSteps of list(args.inner!)) {
            const c: Config = { tasks, innerSteps, dim, order };
            const r = rng(tasks * 131 + innerSteps * 7 + dim);
            const batches = Array.from({ length: 4 }, () => ({ support: block(r, tasks, SUPPORT), query: block(r, tasks, QUERY) }));
            const samples = tasks * (SUPPORT + QUERY);
            const comp = makeTrainer(pg, c, true);
            const eager = makeTrainer(pg, c, false);
            const tc: number[] = [];
            const te: number[] = [];
            const phases: StepTimings[] = [];
            const compBatches = batches.map((b) => ahead(comp.trainer, b));
            const eagerBatches = batches.map((b) => ahead(eager.trainer, b));
            const peerFile = peer.prepare(c, batches);
            const tt: number[] = [];
            let peerFailed: string | undefined;
            // Each side's steps run back to back, as in training: one trainer's garbage and
            // cache traffic do not land inside the other's timed steps. Round 0 starts with
            // the warm-up; steps [WARMUP, ...) are timed.
            for (let round = 0; round < ROUNDS; round++) {
              const from = round === 0 ? 0 : WARMUP + round * STEPS;
              const to = WARMUP + (round + 1) * STEPS;
              for (let i = from; i < to; i++) {
                const a = await comp.trainer.step(fresh(compBatches[i % batches.length]!));
                if (i >= WARMUP) {
                  phases.push(a.timings);
                  tc.push(a.seconds);
                }
              }
              for (let i = from; i < to; i++) {
                const e = await eager.trainer.step(fresh(eagerBatches[i % batches.length]!));
                if (i >= WARMUP) te.push(e.seconds);
              }
              const got = peerFailed ?? (await peer.run(peerFile));
              if (typeof got === "string") peerFailed = got;
              else tt.push(...got);
            }
            const torch = peerFailed ?? tt;
            const st = comp.trainer.compileStatus().sort((x, y) => y.runs - x.runs)[0];
            const prof = steadiestProfile(comp.trainer);
            comp.dispose();
            eager.dispose();
            const rc = rate(tc, samples);
            const re = rate(te, samples);
            const cell = (x: { med: number; lo: number; hi: number }) => `${fmt(x.med)} (${fmt(x.lo)}–${fmt(x.hi)})`.padEnd(26);
            let line = `T=${tasks} k=${innerSteps} d=${dim} ${order === 2 ? "2nd" : "1st"}`.padEnd(21) + cell(rc) + cell(re);
            if (typeof torch === "string") line += torch.slice(0, 25).padEnd(26) + "-".padEnd(12);
            else {
              const rt = rate(torch, samples);
              line += cell(rt) + `${(rc.med / rt.med).toFixed(2)}x`.padEnd(12);
            }
            line += `${(rc.med / re.med).toFixed(2)}x`.padEnd(11) + "| ";
            if (st?.stats && prof) {
              const mm = prof.filter((p) => p.op === "matmul").reduce((a, p) => ({ f: a.f + p.flops, s: a.s + p.seconds }), { f: 0, s: 0 });
              const stepS = med(tc);
              const sgemm = mm.s > 0 ? mm.f / mm.s : NaN;
              line += `${(st.stats.flops / 1e6).toFixed(1).padStart(10)}  ${(st.stats.flops / stepS / 1e9).toFixed(2).padStart(7)}  ${(sgemm / 1e9).toFixed(1).padStart(9)} GF/s  ${(stepS / (st.stats.flops / sgemm)).toFixed(1).padStart(6)}`;
            } else line += `not compiled: ${st?.reason ?? "no program"}`;
            console.log(line);
            phaseLines.push(phaseLine(c, phases, prof));
          }
        }
      }
    }
  } finally {
    peer.close();
    rmSync(dir, { recursive: true, force: true });
    await pg.close();
  }
  console.log("\nWhere the compiled trainer's step goes (medians per phase, share of the median step; replay split from profiled replays, the fastest of five per kind of op):");
  for (const l of phaseLines) console.log(l);
  console.log(`\nPyTorch peer: /usr/bin/python3 with torch.set_num_threads(${threads}) and OMP_NUM_THREADS=${threads}; ratios are of medians from this run`);
}

await main();
