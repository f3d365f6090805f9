// Benchmark of sharded lookup + update (`npm run bench -w @gmeta/embedding`, options below).
// Prints, for each figure, the reference measured in the same run and the ratio:
//  - row gather and scatter-add (@gmeta/tensor's) and the fused Adagrad update vs a memcpy of the same bytes (target >= 0.5);
//  - lookup + update rows/s and GB/s on 1, 2 and 4 ranks (Gloo, loopback) vs 1 rank;
//  - bytes sent per step with dedup vs without, and the step time with dedup off.
// Options: --tables 8 --rows 1000000 --dim 64 --batch 16384 --steps 10 --ranks 1,2,4 --zipf 1.05
// (--ranks none: the kernel figures only).
import { fileURLToPath } from "node:url";
import { Writable } from "node:stream";

import { initProcessGroup, launch } from "@gmeta/collectives";
import { full, gatherRows, noGrad, scatterAddRows, tensor } from "@gmeta/tensor";

import { planSharding, ShardedEmbeddingCollection } from "../src/index.js";
import type { TableConfig } from "../src/index.js";
import { addon } from "../src/native/binding.js";
import { zipfSampler } from "./zipf.js";

interface Opts {
  tables: number;
  rows: number;
  dim: number;
  batch: number;
  steps: number;
  ranks: number[];
  zipf: number;
  dedup: boolean;
}

function parse(argv: string[]): Opts {
  const get = (k: string, d: string): string => {
    const i = argv.indexOf(`--${k}`);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : d;
  };
  return {
    tables: Number(get("tables", "8")),
    rows: Number(get("rows", "1000000")),
    dim: Number(get("dim", "64")),
    batch: Number(get("batch", "16384")),
    steps: Number(get("steps", "10")),
    ranks: get("ranks", "1,2,4").split(",").map(Number).filter((w) => w > 0),
    zipf: Number(get("zipf", "1.05")),
    dedup: get("dedup", "on") !== "off",
  };
}

function args(o: Opts): string[] {
  return ["--tables", String(o.tables), "--rows", String(o.rows), "--dim", String(o.dim), "--batch", String(o.batch), "--steps", String(o.steps), "--zipf", String(o.zipf), "--dedup", o.dedup ? "on" : "off"];
}

const now = (): number => performance.now();

/** Best of `reps` timings of fn, in ms: the least disturbed by the other work on the host. */
function best(reps: number, fn: () => void): number {
  let b = Infinity;
  for (let i = 0; i < reps; i++) {
    const t = now();
    fn();
    b = Math.min(b, now() - t);
  }
  return b;
}

/** One rank: lookup + update of every table for `steps` steps of the global batch split by rank. */
async function worker(o: Opts): Promise<void> {
  const pg = await initProcessGroup({ backend: "gloo", timeoutMs: 300_000 });
  const W = pg.size;
  const tables: TableConfig[] = Array.from({ length: o.tables }, (_, i) => ({ name: `t${i}`, rows: o.rows, dim: o.dim, seed: i }));
  const plan = planSharding({ tables, worldSize: W });
  const coll = new ShardedEmbeddingCollection({ tables, plan, processGroup: pg, optimizer: { kind: "adagrad", lr: 0.01, rowWise: true }, dedup: o.dedup });
  const per = Math.floor(o.batch / W);
  const samplers = tables.map((_, i) => zipfSampler(o.rows, o.zipf, 1 + i * 7919 + pg.rank * 104729));
  const batches = Array.from({ length: o.steps + 2 }, () => Object.fromEntries(tables.map((t, i) => [t.name, samplers[i]!(per)])));
  const step = async (b: Record<string, BigInt64Array>): Promise<void> => {
    const res = await coll.lookup(b);
    const grads = Object.fromEntries(tables.map((t) => [t.name, new Float32Array(res.get(t.name).uniqueRows.length * o.dim).fill(1e-3)]));
    await res.applyGradients(grads);
    res.dispose();
  };
  for (let i = 0; i < 2; i++) await step(batches[i]!);
  coll.resetCounters();
  await pg.barrier();
  const t0 = now();
  for (let i = 2; i < o.steps + 2; i++) await step(batches[i]!);
  await pg.barrier();
  const ms = (now() - t0) / o.steps;
  const c = coll.counters;
  const sums = tensor(new Float64Array([c.lookup.requestBytes + c.update.requestBytes, c.lookup.requestBytesWithoutDedup + c.update.requestBytesWithoutDedup, c.lookup.requestedRows, c.lookup.ids, c.lookup.bytesSent + c.update.bytesSent]), { shape: [5] });
  await pg.allReduce(sums, "sum");
  const [bytes, bytesNoDedup, uniq, ids, wire] = Array.from(sums.toArray() as Float64Array).map((x) => x / o.steps);
  if (pg.rank === 0) console.log(`BENCH ${JSON.stringify({ W, ms, bytes, bytesNoDedup, uniq, ids, wire })}`);
  await pg.close();
}

class Collect extends Writable {
  text = "";
  override _write(chunk: Buffer, _e: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

async function runRanks(o: Opts, W: number): Promise<{ W: number; ms: number; bytes: number; bytesNoDedup: number; uniq: number; ids: number; wire: number }> {
  const out = new Collect();
  const self = fileURLToPath(import.meta.url);
  const r = await launch({ nproc: W, command: [process.execPath, "--import", "tsx", self, "--worker", ...args(o)], stdout: out, stderr: out, graceMs: 2000 });
  const line = out.text.split("\n").find((l) => l.includes("BENCH "));
  if (r.exitCode !== 0 || !line) throw new Error(`bench on ${W} ranks failed: ${r.message}\n${out.text}`);
  return JSON.parse(line.slice(line.indexOf("BENCH ") + 6));
}

/**
 * The kernels a step's rows go through, vs a memcpy of the same bytes: @gmeta/tensor's row
 * gather (owners' replies, E_U) and scatter-add (duplicates summed into unique rows), which
 * this package uses instead of kernels of its own, and the fused Adagrad update.
 */
function kernels(o: Opts): { gather: number; scatter: number; update: number; memcpy: number; bytes: number } {
  const table = full([o.rows, o.dim], 0.5);
  const weights = table.hostView() as Float32Array;
  const state = new Float32Array(o.rows);
  const ids = zipfSampler(o.rows, o.zipf, 3)(o.batch);
  const rows = new Int32Array(ids.length);
  addon.mapIds(ids, o.rows, false, rows);
  const unique = new Int32Array(rows.length);
  const inv = new Int32Array(rows.length);
  const u = addon.uniqueInverse(rows, unique, inv);
  const idx = unique.subarray(0, u);
  const idxT = tensor(idx, { dtype: "int32" });
  const invT = tensor(inv.subarray(0, u), { dtype: "int32" });
  const out = new Float32Array(u * o.dim);
  const src = new Float32Array(u * o.dim).fill(1e-3);
  const srcT = tensor(src, { shape: [u, o.dim] });
  const bytes = u * o.dim * 4;
  const gather = best(30, () => noGrad(() => gatherRows(table, idxT)).dispose());
  const scatter = best(30, () => noGrad(() => scatterAddRows(srcT, invT, u)).dispose());
  const update = best(30, () => addon.sparseAdagrad(weights, o.dim, idx, src, state, true, 0.01, 1e-10));
  const memcpy = best(30, () => out.set(src));
  for (const t of [table, idxT, invT, srcT]) t.dispose();
  return { gather, scatter, update, memcpy, bytes };
}

function fmt(x: number, digits = 2): string {
  return x >= 100 ? x.toFixed(0) : x.toPrecision(digits + 1);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const o = parse(argv);
  if (argv.includes("--worker")) return worker(o);
  console.log(`embedding bench: ${o.tables} tables × ${o.rows} rows × ${o.dim} dims (float32), Zipf s=${o.zipf}, global batch ${o.batch} ids per table, ${o.steps} timed steps, row-wise Adagrad`);
  const rowsTable: string[][] = [["figure", "value", "reference (same run)", "value", "ratio"]];
  const k = kernels(o);
  const gbs = (bytes: number, ms: number): number => bytes / ms / 1e6;
  rowsTable.push(["gather of unique rows", `${fmt(gbs(k.bytes, k.gather))} GB/s`, "memcpy of the same bytes", `${fmt(gbs(k.bytes, k.memcpy))} GB/s`, fmt(k.memcpy / k.gather)]);
  rowsTable.push(["scatter-add into unique rows", `${fmt(gbs(k.bytes, k.scatter))} GB/s`, "memcpy of the same bytes", `${fmt(gbs(k.bytes, k.memcpy))} GB/s`, fmt(k.memcpy / k.scatter)]);
  rowsTable.push(["fused row-wise Adagrad update", `${fmt(gbs(k.bytes, k.update))} GB/s`, "memcpy of the same bytes", `${fmt(gbs(k.bytes, k.memcpy))} GB/s`, fmt(k.memcpy / k.update)]);
  const results = [];
  for (const W of o.ranks) results.push(await runRanks(o, W));
  const base = results.find((r) => r.W === 1) ?? results[0];
  const idsPerStep = o.batch * o.tables;
  for (const r of base ? results : []) {
    const rps = idsPerStep / (r.ms / 1000);
    const rowBytes = 2 * r.uniq * o.dim * 4; // rows out in the lookup, gradient rows back
    rowsTable.push([`lookup+update, ${r.W} rank(s)`, `${fmt(rps / 1e6)} M ids/s, ${fmt(rowBytes / r.ms / 1e6)} GB/s of rows, ${fmt(r.ms)} ms/step`, "1 rank", `${fmt(idsPerStep / (base!.ms / 1000) / 1e6)} M ids/s`, fmt(base!.ms / r.ms)]);
  }
  for (const r of results.filter((x) => x.W > 1)) {
    rowsTable.push([`bytes between ranks per step, ${r.W} ranks, dedup`, `${fmt(r.bytes / 1e6)} MB`, "without dedup", `${fmt(r.bytesNoDedup / 1e6)} MB`, fmt(r.bytes / r.bytesNoDedup)]);
  }
  if (o.dedup && o.ranks.some((w) => w > 1)) {
    const W = Math.max(...o.ranks);
    const off = await runRanks({ ...o, dedup: false }, W);
    const on = results.find((r) => r.W === W)!;
    rowsTable.push([`step time, ${W} ranks, dedup`, `${fmt(on.ms)} ms`, "dedup off (measured)", `${fmt(off.ms)} ms`, fmt(on.ms / off.ms)]);
    rowsTable.push([`wire bytes per step, ${W} ranks, dedup`, `${fmt(on.wire / 1e6)} MB`, "dedup off (measured)", `${fmt(off.wire / 1e6)} MB`, fmt(on.wire / off.wire)]);
  }
  const widths = rowsTable[0]!.map((_, c) => Math.max(...rowsTable.map((r) => r[c]!.length)));
  for (const r of rowsTable) console.log(r.map((x, c) => x.padEnd(widths[c]!)).join(" | "));
  console.log("ratios: kernels = kernel bandwidth / memcpy bandwidth; ranks = speed-up over 1 rank; bytes and times = dedup / no dedup.");
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
