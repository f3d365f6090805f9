/**
 * @gmeta/maml benchmark: one second-order MAML meta-step of a MeLU-style model on a fixed
 * meta-batch shape, against the same model, algorithm and batching in PyTorch 1.13
 * (bench/meta_torch.py) on the same machine and thread count.
 * Run: npm run bench -w @gmeta/maml   (GMETA_BENCH_THREADS sets the thread count)
 * The G-Meta step against the naive strategy on 1, 2 and 4 ranks is `gmeta bench`.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { SampleBlock } from "@gmeta/io";
import * as T from "@gmeta/tensor";
import { MeLU, MetaLearner, prepareBatch, stepInputs } from "../src/index.js";
import { rng } from "../test/fixtures.js";

const here = dirname(fileURLToPath(import.meta.url));
const threads = Number(process.env.GMETA_BENCH_THREADS ?? T.getNumThreads());
T.setNumThreads(threads);
const [TASKS, NS, NQ, D, E, H1, H2, VI, VC, VT, K, ITERS] = [32, 16, 16, 4, 8, 64, 32, 800, 24, 48, 1, 30];

function block(r: () => number, n: number): SampleBlock {
  const size = TASKS * n;
  const single = (v: number) => ({ ids: BigInt64Array.from({ length: size }, () => BigInt(Math.floor(r() * v))), offsets: Int32Array.from({ length: size + 1 }, (_, i) => i) });
  const offsets = new Int32Array(size + 1);
  const tags: bigint[] = [];
  for (let i = 0; i < size; i++) {
    const len = 1 + Math.floor(r() * 3);
    for (let j = 0; j < len; j++) tags.push(BigInt(Math.floor(r() * VT)));
    offsets[i + 1] = tags.length;
  }
  return {
    size, labels: Float32Array.from({ length: size }, () => (r() < 0.4 ? 1 : 0)),
    dense: Float32Array.from({ length: size * D }, () => r() * 2 - 1),
    slots: [single(VI), single(VC), { ids: BigInt64Array.from(tags), offsets }],
    taskOffsets: Int32Array.from({ length: TASKS + 1 }, (_, t) => t * n),
  };
}

const r = rng(1);
const batch = { support: block(r, NS), query: block(r, NQ) };
const model = new MeLU({
  denseDim: D, embeddingDim: E, hidden: [H1, H2],
  slots: [{ name: "item", table: "item", pooling: "sum" }, { name: "cat", table: "cat", pooling: "sum" }, { name: "tags", table: "tags", pooling: "mean" }],
});
const learner = new MetaLearner(model, { algorithm: "maml", innerSteps: K, innerLr: 0.5, adapt: "all", seed: 0 });
const tables = { item: T.randn([VI, E], { std: 0.05 }), cat: T.randn([VC, E], { std: 0.05 }), tags: T.randn([VT, E], { std: 0.05 }) } as Record<string, T.Tensor>;

const step = () =>
  T.tidy(() => {
    const pb = prepareBatch(model, batch);
    const rows = pb.tables.map((t, k) => T.gatherRows(tables[t.table]!, T.tensor(pb.uniqueIds[k]!, { dtype: "int64" })).setRequiresGrad(true));
    learner.step(stepInputs(pb, "cpu"), rows);
  });
for (let i = 0; i < 3; i++) step();
const times: number[] = [];
for (let i = 0; i < ITERS; i++) {
  const t0 = performance.now();
  step();
  times.push((performance.now() - t0) / 1000);
  await new Promise((res) => setImmediate(res));
}
times.sort((a, b) => a - b);
const med = times[times.length >> 1]!;
const samples = TASKS * (NS + NQ);
const ours = samples / med;

let torch: { seconds_median: number; min: number; max: number; samples_per_sec: number; torch: string } | null = null;
if (existsSync("/usr/bin/python3")) {
  try {
    torch = JSON.parse(execFileSync("/usr/bin/python3", [join(here, "meta_torch.py"), ...[TASKS, NS, NQ, D, E, H1, H2, VI, VC, VT, K, ITERS, threads].map(String)], {
      encoding: "utf8", env: { ...process.env, OMP_NUM_THREADS: String(threads) }, stdio: ["ignore", "pipe", "pipe"],
    }).trim());
  } catch (e) {
    console.warn(`PyTorch reference failed: ${(e as Error).message.split("\n")[0]}`);
  }
}
console.log(`\n@gmeta/maml meta-step: MeLU-style (${3 * E + D}-${H1}-${H2}-1), second-order MAML, ${K} inner step, ${TASKS} tasks × (${NS} support + ${NQ} query), ${threads} thread(s)`);
console.log(`figure                 median        spread (min–max)        reference                      ratio   target`);
console.log(`meta-step samples/s    ${ours.toFixed(0).padStart(8)}      ${(samples / times[times.length - 1]!).toFixed(0)}–${(samples / times[0]!).toFixed(0)}`.padEnd(63) +
  (torch ? `${torch.samples_per_sec.toFixed(0)} (torch ${torch.torch})`.padEnd(31) + `${(ours / torch.samples_per_sec).toFixed(2)}    >= 1.0 (goal 2)` : "PyTorch not found (apt-get install python3-torch)"));
