/**
 * @gmeta/tensor benchmarks: each figure beside a reference measured in the same run.
 *   GEMM GFLOP/s against raw OpenBLAS sgemm (target >= 0.9)
 *   elementwise / gather / scatter GB/s against memcpy of the same bytes (target >= 0.5)
 *   3-layer MLP forward+backward against PyTorch on the same threads (target time <= 1.0x)
 * Run: npm run bench -w @gmeta/tensor   (GMETA_BENCH_THREADS sets the thread count)
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as T from "../src/index.js";
import type { Row } from "./stats.js";
import { printTable, time } from "./stats.js";

const here = dirname(fileURLToPath(import.meta.url));
const rawBench = join(here, "..", "build", "Release", "gmeta_raw_bench");
const threads = Number(process.env.GMETA_BENCH_THREADS ?? T.getNumThreads());
T.setNumThreads(threads);

function raw(args: (string | number)[]): { seconds_median: number; gflops?: number; gbps?: number } {
  return JSON.parse(execFileSync(rawBench, args.map(String), { encoding: "utf8" }).trim());
}

const spread = (a: number, b: number, unit: string) => `${a.toFixed(2)}–${b.toFixed(2)} ${unit}`;
const rows: Row[] = [];

// GEMM at DLRM shapes: out = x · wᵀ as in a linear layer (no copies for the transpose).
for (const [B, M, N, K] of [[1, 4096, 256, 512], [64, 128, 64, 64]] as const) {
  const a = T.randn(B === 1 ? [M, K] : [B, M, K]);
  const b = T.randn(B === 1 ? [K, N] : [B, K, N]);
  const iters = B === 1 ? 20 : 40;
  const s = time(() => T.matmul(a, b).dispose(), iters);
  const flops = 2 * B * M * N * K;
  const r = raw(["sgemm", M, N, K, B, iters, threads]);
  const fig = flops / s.median / 1e9;
  const ref = r.gflops!;
  rows.push({
    what: `matmul ${B > 1 ? `${B}×` : ""}(${M}×${K}·${K}×${N})`, unit: "GFLOP/s", figure: fig,
    spread: spread(flops / s.max / 1e9, flops / s.min / 1e9, ""), reference: ref, refName: "raw sgemm",
    target: ">= 0.9", ratio: fig / ref,
  });
}

// Memory-bound kernels against memcpy of the bytes they move.
{
  const n = 1 << 24;
  const x = T.randn([n]);
  const y = T.randn([n]);
  const bytesAdd = 3 * 4 * n; // read two, write one
  const sAdd = time(() => T.add(x, y).dispose(), 15);
  const copy = raw(["memcpy", bytesAdd / 2, 15]);
  const fig = bytesAdd / sAdd.median / 1e9;
  rows.push({
    what: `add 16M float32`, unit: "GB/s", figure: fig, spread: spread(bytesAdd / sAdd.max / 1e9, bytesAdd / sAdd.min / 1e9, ""),
    reference: copy.gbps!, refName: "memcpy", target: ">= 0.5", ratio: fig / copy.gbps!,
  });
  const sExp = time(() => T.sigmoid(x).dispose(), 15);
  const bytesUn = 2 * 4 * n;
  const copyUn = raw(["memcpy", bytesUn / 2, 15]);
  rows.push({
    what: `sigmoid 16M float32`, unit: "GB/s", figure: bytesUn / sExp.median / 1e9,
    spread: spread(bytesUn / sExp.max / 1e9, bytesUn / sExp.min / 1e9, ""), reference: copyUn.gbps!, refName: "memcpy",
    target: ">= 0.5", ratio: bytesUn / sExp.median / 1e9 / copyUn.gbps!,
  });
}
{
  // Embedding-style rows: 1M × 64 table, 256K Zipf-ish ids.
  const rowsN = 1 << 20;
  const dim = 64;
  const nIds = 1 << 18;
  const table = T.randn([rowsN, dim]);
  const u = T.rand([nIds], { dtype: "float64" }).toArray() as Float64Array;
  const ids = T.tensor(BigInt64Array.from(u, (v) => BigInt(Math.floor(rowsN * v ** 3))), { dtype: "int64" });
  const bytes = 2 * nIds * dim * 4; // read a row, write a row
  const g = time(() => T.gatherRows(table, ids).dispose(), 15);
  const copy = raw(["memcpy", bytes / 2, 15]);
  rows.push({
    what: `gatherRows 256K×64 of 1M rows`, unit: "GB/s", figure: bytes / g.median / 1e9,
    spread: spread(bytes / g.max / 1e9, bytes / g.min / 1e9, ""), reference: copy.gbps!, refName: "memcpy",
    target: ">= 0.5", ratio: bytes / g.median / 1e9 / copy.gbps!,
  });
  const src = T.randn([nIds, dim]);
  const acc = T.zeros([rowsN, dim]);
  const sc = time(() => T.noGrad(() => T.indexAdd(acc, ids, src)).dispose(), 10);
  // indexAdd copies the base (2 × table bytes) then adds rows (read src, read+write dst).
  const scBytes = 2 * rowsN * dim * 4 + 3 * nIds * dim * 4;
  const copy2 = raw(["memcpy", scBytes / 2, 10]);
  rows.push({
    what: `indexAdd 256K×64 into 1M rows`, unit: "GB/s", figure: scBytes / sc.median / 1e9,
    spread: spread(scBytes / sc.max / 1e9, scBytes / sc.min / 1e9, ""), reference: copy2.gbps!, refName: "memcpy",
    target: ">= 0.5", ratio: scBytes / sc.median / 1e9 / copy2.gbps!,
  });
}

// 3-layer MLP forward + backward against PyTorch on the same machine and thread count.
{
  const [batch, dIn, h1, h2, dOut] = [4096, 512, 512, 256, 1];
  const gen = new T.Generator(0);
  const layers = T.nn.initMlp([dIn, h1, h2, dOut], { generator: gen });
  const params = layers.flatMap((l) => [l.w, l.b]);
  const x = T.randn([batch, dIn], { generator: gen });
  const y = T.noGrad(() => T.cast(T.gt(T.rand([batch, dOut], { generator: gen }), 0.5), "float32"));
  const s = time(() => T.tidy(() => {
    T.grad(T.bceWithLogits(T.nn.mlp(layers, x), y), params);
  }), 20, 3);
  const python = "/usr/bin/python3";
  let ref: { seconds_median: number; min: number; max: number; torch: string } | null = null;
  if (existsSync(python)) {
    try {
      ref = JSON.parse(execFileSync(python, [join(here, "mlp_torch.py"), ...[batch, dIn, h1, h2, dOut, 20, threads].map(String)], {
        encoding: "utf8", env: { ...process.env, OMP_NUM_THREADS: String(threads) }, stdio: ["ignore", "pipe", "pipe"],
      }).trim());
    } catch (e) {
      console.warn(`PyTorch reference failed: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  if (ref) {
    rows.push({
      what: `MLP ${dIn}-${h1}-${h2}-${dOut} fwd+bwd, batch ${batch}`, unit: "ms", figure: s.median * 1e3,
      spread: spread(s.min * 1e3, s.max * 1e3, ""), reference: ref.seconds_median * 1e3, refName: `torch ${ref.torch}`,
      target: "<= 1.0 (time)", ratio: s.median / ref.seconds_median,
    });
  } else {
    console.warn("PyTorch reference skipped: /usr/bin/python3 with torch not found (apt-get install python3-torch)");
  }
}

printTable(`@gmeta/tensor on ${threads} thread(s) — ${T.info().blas}`, rows);
