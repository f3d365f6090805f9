// One rank of the conformance run: every operation and dtype, checked against the result
// computed locally from all ranks' seeded inputs. Flags: --backend gloo|mpi, --big (16M).
import { DTYPES, initArrayGroup, type ArrayCollectives, type Backend, type DType, type ReduceOp } from "../../src/index.js";
import { assertClose, inputs, num, rng } from "./expected.js";

const args = process.argv.slice(2);
const backend = (args.includes("--backend") ? args[args.indexOf("--backend") + 1] : "gloo") as Backend;
const big = args.includes("--big");
let checks = 0;

async function checkAllReduce(pg: ArrayCollectives, dtype: DType, n: number, tag: number): Promise<void> {
  const ops: ReduceOp[] = dtype.startsWith("float") ? ["sum", "mean", "max", "min"] : ["sum", "max", "min"];
  for (const op of ops) {
    const all = Array.from({ length: pg.size }, (_, r) => inputs(dtype, n, r, tag));
    const want = Array.from({ length: n }, (_, i) => {
      const vals = all.map((a) => num(a, i));
      if (op === "max") return Math.max(...vals);
      if (op === "min") return Math.min(...vals);
      const s = vals.reduce((x, y) => x + y, 0);
      return op === "mean" ? s / pg.size : s;
    });
    const got = await pg.allReduce(all[pg.rank]!, op);
    assertClose(`allReduce ${op} ${dtype} n=${n}`, got, want, dtype);
    checks++;
  }
}

// counts[src][dst]: seeded, with zeros, so uneven and empty slices both occur.
function countMatrix(size: number, tag: number, max: number): number[][] {
  const r = rng(tag);
  return Array.from({ length: size }, () => Array.from({ length: size }, () => (r() < 0.25 ? 0 : Math.floor(r() * max))));
}

async function checkAllToAllV(pg: ArrayCollectives, dtype: DType, counts: number[][], tag: number, what: string): Promise<void> {
  const send = (src: number) => inputs(dtype, counts[src]!.reduce((a, b) => a + b, 0), src, tag);
  const mine = send(pg.rank);
  const { recv, recvCounts } = await pg.allToAllV(mine, counts[pg.rank]!);
  const want: number[] = [];
  for (let src = 0; src < pg.size; src++) {
    const s = send(src);
    const off = counts[src]!.slice(0, pg.rank).reduce((a, b) => a + b, 0);
    for (let i = 0; i < counts[src]![pg.rank]!; i++) want.push(num(s, off + i));
  }
  assertClose(`allToAllV ${what} ${dtype}`, recv, want, dtype);
  const wantCounts = counts.map((row) => row[pg.rank]!);
  if (recvCounts.join() !== wantCounts.join()) throw new Error(`allToAllV ${what}: counts ${recvCounts}, expected ${wantCounts}`);
  checks++;
}

async function checkGathers(pg: ArrayCollectives, dtype: DType, tag: number): Promise<void> {
  const all = Array.from({ length: pg.size }, (_, r) => inputs(dtype, 5, r, tag));
  assertClose(`allGather ${dtype}`, await pg.allGather(all[pg.rank]!), all.flatMap((a) => Array.from(a, Number)), dtype);
  // Rank 0 gives nothing, rank r gives 3r elements.
  const v = Array.from({ length: pg.size }, (_, r) => inputs(dtype, 3 * r, r, tag + 1));
  const { recv, counts } = await pg.allGatherV(v[pg.rank]!);
  assertClose(`allGatherV ${dtype}`, recv, v.flatMap((a) => Array.from(a, Number)), dtype);
  if (counts.join() !== v.map((a) => a.length).join()) throw new Error(`allGatherV counts ${counts}`);
  checks += 2;
}

async function checkBroadcast(pg: ArrayCollectives, dtype: DType, n: number, tag: number): Promise<void> {
  const root = pg.size - 1;
  const data = inputs(dtype, n, pg.rank, tag);
  const want = Array.from(inputs(dtype, n, root, tag), Number);
  assertClose(`broadcast ${dtype} n=${n}`, await pg.broadcast(data, root), want, dtype);
  checks++;
}

async function main(): Promise<void> {
  const pg = await initArrayGroup({ backend, timeoutMs: 30_000 });
  let tag = 1;
  for (const dtype of DTYPES) {
    for (const n of [0, 1, 7, 1009, 65_537]) await checkAllReduce(pg, dtype, n, tag++);
    await checkAllToAllV(pg, dtype, countMatrix(pg.size, tag++, 40), tag, "uneven");
    await checkAllToAllV(pg, dtype, countMatrix(pg.size, 0, 0), tag++, "all-zero");
    await checkAllToAllV(pg, dtype, countMatrix(pg.size, tag++, 30_011), tag, "large");
    await checkGathers(pg, dtype, tag);
    tag += 2;
    for (const n of [0, 1, 11, 100_003]) await checkBroadcast(pg, dtype, n, tag++);
  }
  await pg.barrier();
  if (big) {
    // 16M float32 once: integer-valued inputs keep the sum exact, so every element is checked.
    const n = 16 * 1024 * 1024;
    const f = (r: number, i: number) => ((i * 31 + r * 7) % 101) - 50;
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = f(pg.rank, i);
    await pg.allReduce(data, "sum");
    for (let i = 0; i < n; i++) {
      let w = 0;
      for (let r = 0; r < pg.size; r++) w += f(r, i);
      if (data[i] !== w) throw new Error(`allReduce 16M: element ${i} is ${data[i]}, expected ${w}`);
    }
    checks++;
  }
  await pg.close();
  console.log(`rank ${pg.rank}/${pg.size} ${backend}: ${checks} checks ok`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
