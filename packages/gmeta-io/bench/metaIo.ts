/**
 * Meta-IO benchmark: loader throughput against a plain Arrow IPC read of the same part bytes and
 * against a naive loader that groups raw samples by task at training time, all in one run;
 * then prepare throughput and peak memory (in child processes, so peak RSS is prepare's own).
 *
 *   npx tsup && npx tsx bench/metaIo.ts [samples=2000000]
 *
 * It runs the built package (dist), so decode workers start as they do for users.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { tableFromIPC } from "apache-arrow";

type Io = typeof import("../src/index.js");
type SampleChunk = import("../src/index.js").SampleChunk;
const distEntry = resolve(import.meta.dirname, "../dist/index.js");
const io = (await import(distEntry)) as Io;

const target = Number(process.argv[2] ?? 2_000_000);
const T = 32;
const work = mkdtempSync(join(tmpdir(), "gmeta-io-bench-"));
const rawFile = join(work, "raw.arrow");
const now = () => performance.now() / 1000;

try {
  // mean samples per user ≈ 10 + 81/4 ≈ 30 with the generator's cubic skew
  const users = Math.ceil(target / 30.25);
  let t0 = now();
  const raw = await io.synthesize({ users, items: 20_000, categories: 50, samplesPerUser: [10, 90], dense: 8, seed: 1, out: rawFile });
  console.log(`synthesized ${raw.samples} samples of ${users} users in ${(now() - t0).toFixed(1)} s (oracle AUC ${raw.oracleAuc.toFixed(4)})`);

  const prepareIn = (out: string, budget: number) => {
    const script = `
      const io = await import(${JSON.stringify(distEntry)});
      const t0 = performance.now();
      const r = await io.prepare({ input: ${JSON.stringify(rawFile)}, schema: io.syntheticSchema(8), out: ${JSON.stringify(out)},
        split: { query: 0.3 }, minSupport: 5, minQuery: 2, memoryBudget: ${budget} });
      const s = (performance.now() - t0) / 1000;
      // VmHWM is this process's own peak; getrusage's maxRSS also counts the parent's size at fork
      const fs = await import("node:fs");
      const hwm = /VmHWM:\\s+(\\d+) kB/.exec(fs.existsSync("/proc/self/status") ? fs.readFileSync("/proc/self/status", "utf8") : "");
      const maxRss = (hwm ? Number(hwm[1]) : process.resourceUsage().maxRSS) * 1024;
      console.log(JSON.stringify({ s, runs: r.spilledRuns, maxRss, counts: r.manifest.counts, parts: r.manifest.parts.length }));`;
    return JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" })) as {
      s: number; runs: number; maxRss: number; counts: { inputSamples: number; samples: number; tasks: number }; parts: number;
    };
  };
  const big = prepareIn(join(work, "prepared"), 2 ** 31);
  const small = prepareIn(join(work, "prepared-spill"), 64 * 2 ** 20);
  const rawMiB = readFileSync(rawFile).length / 2 ** 20;

  const ds = await io.openMetaDataset(join(work, "prepared"));
  const samples = ds.manifest.counts.samples;

  // (a) plain Arrow IPC read of the same part bytes, touching every column's buffers once
  const plainRead = (): number => {
    let sum = 0;
    for (const p of ds.manifest.parts) {
      const t = tableFromIPC(readFileSync(join(ds.dir, p.file)));
      for (const f of t.schema.fields) {
        const d = t.getChild(f.name)!.data[0]!;
        const v = (d.children[0]?.values ?? d.values) as ArrayLike<number | bigint>;
        sum += v.length;
      }
    }
    return sum;
  };
  const time = async (fn: () => unknown | Promise<unknown>): Promise<number> => {
    const s = now();
    await fn();
    return now() - s;
  };
  // The machine may be shared: settings are measured in interleaved rounds; the median of each
  // counts and the spread (fastest..slowest) is printed beside it.
  const loaders = [0, 1, 2].map((workers) => ds.loader({ tasksPerBatch: T, workers, prefetch: 4, seed: 1, remainder: "pad" }));
  const epoch = async (k: number): Promise<number> => {
    const loader = loaders[k]!;
    let n = 0;
    const s = await time(async () => {
      for await (const b of loader) n += b.support.size + b.query.size;
    });
    if (n < samples) throw new Error(`loader yielded ${n} of ${samples} samples`);
    loader.resume({ epoch: 0, batch: 0, seed: 1 });
    return s;
  };
  plainRead();
  for (let k = 0; k < 3; k++) await epoch(k); // warm-up: workers start, code is compiled
  const rounds = 5;
  const runs: Record<"plain" | "w0" | "w1" | "w2" | "naive", number[]> = { plain: [], w0: [], w1: [], w2: [], naive: [] };
  for (let round = 0; round < rounds; round++) {
    runs.plain.push(await time(plainRead));
    runs.w1.push(await epoch(1));
    runs.w2.push(await epoch(2));
    runs.w0.push(await epoch(0));
  }
  await Promise.all(loaders.map((l) => l.close()));
  const median = (xs: number[]): number => {
    const a = [...xs].sort((x, y) => x - y);
    return a.length % 2 ? a[a.length >> 1]! : (a[a.length / 2 - 1]! + a[a.length / 2]!) / 2;
  };
  const [plainS, w0, w1, w2] = [runs.plain, runs.w0, runs.w1, runs.w2].map(median) as [number, number, number, number];

  // (b) naive: read the raw samples and group them by task at training time, row by row
  const naive = async (): Promise<number> => {
    const chunks: SampleChunk[] = [];
    for await (const c of io.readRaw(rawFile, raw.schema)) chunks.push(c);
    const byTask = new Map<bigint, [number, number][]>();
    chunks.forEach((c, k) => {
      for (let i = 0; i < c.n; i++) {
        const list = byTask.get(c.task[i]!);
        if (list) list.push([k, i]);
        else byTask.set(c.task[i]!, [[k, i]]);
      }
    });
    const tasks = [...byTask.values()];
    let n = 0;
    for (let t = 0; t < tasks.length; t += T) {
      const rows = tasks.slice(t, t + T).flat();
      const labels = new Float32Array(rows.length);
      const dense = new Float32Array(rows.length * 8);
      const ids = raw.schema.sparse.map(() => [] as bigint[]);
      rows.forEach(([k, i], r) => {
        const c = chunks[k]!;
        labels[r] = c.label[i]!;
        for (let j = 0; j < 8; j++) dense[r * 8 + j] = c.dense[i * 8 + j]!;
        c.sparse.forEach((s, q) => {
          for (let x = s.offsets[i]!; x < s.offsets[i + 1]!; x++) ids[q]!.push(s.ids[x]!);
        });
      });
      ids.map((a) => BigInt64Array.from(a));
      n += rows.length;
    }
    return n;
  };
  runs.naive = [await time(naive), await time(naive), await time(naive)];
  const naiveS = median(runs.naive);

  const tasks = ds.manifest.counts.tasks;
  const rate = (s: number) => samples / s;
  const fmt = (x: number) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : `${(x / 1e3).toFixed(1)} k`);
  const spread = (k: keyof typeof runs) => `[${fmt(rate(Math.max(...runs[k])))}..${fmt(rate(Math.min(...runs[k])))}]`;
  console.log(`\nprepared: ${samples} samples, ${tasks} tasks, ${ds.manifest.parts.length} parts; ${T} tasks per batch; median of ${rounds} interleaved epochs, [slowest..fastest] (naive: median of 3)\n`);
  const rows: [string, string, string, string][] = [
    ["figure", "value", "reference (same run)", "ratio"],
    ["loader, 1 worker", `${fmt(rate(w1))} samples/s ${spread("w1")}, ${fmt(tasks / w1)} tasks/s`, `plain Arrow read ${fmt(rate(plainS))} samples/s ${spread("plain")}`, (plainS / w1).toFixed(2)],
    ["loader, 2 workers", `${fmt(rate(w2))} samples/s ${spread("w2")}, ${fmt(tasks / w2)} tasks/s`, `plain Arrow read ${fmt(rate(plainS))} samples/s ${spread("plain")}`, (plainS / w2).toFixed(2)],
    ["loader, 1 worker", `${fmt(rate(w1))} samples/s`, `naive group-at-train ${fmt(rate(naiveS))} samples/s ${spread("naive")}`, (naiveS / w1).toFixed(2)],
    ["loader, 2 workers", `${fmt(rate(w2))} samples/s`, `naive group-at-train ${fmt(rate(naiveS))} samples/s ${spread("naive")}`, (naiveS / w2).toFixed(2)],
    ["loader, main thread", `${fmt(rate(w0))} samples/s ${spread("w0")}`, `naive group-at-train ${fmt(rate(naiveS))} samples/s`, (naiveS / w0).toFixed(2)],
    ["prepare, in memory", `${fmt(big.counts.inputSamples / big.s)} samples/s, peak RSS ${(big.maxRss / 2 ** 20).toFixed(0)} MiB`, `raw file ${rawMiB.toFixed(0)} MiB`, (big.maxRss / 2 ** 20 / rawMiB).toFixed(2)],
    ["prepare, 64 MiB budget", `${fmt(small.counts.inputSamples / small.s)} samples/s, peak RSS ${(small.maxRss / 2 ** 20).toFixed(0)} MiB, ${small.runs} runs`, `prepare in memory ${fmt(big.counts.inputSamples / big.s)} samples/s`, (big.s / small.s).toFixed(2)],
  ];
  const w = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows) console.log(r.map((x, c) => x.padEnd(w[c]!)).join("  "));
  console.log("\ntargets: loader ≥ 0.5 of the plain read, ≥ 5× the naive loader");
} finally {
  rmSync(work, { recursive: true, force: true });
}
