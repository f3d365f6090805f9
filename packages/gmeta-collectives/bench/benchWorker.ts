// One rank of the TypeScript side of the benchmark: the same allReduce (sum) and allToAllV
// (even split) as gloo_raw_bench / mpi_raw_bench, timed the same way (barrier, then the call;
// fastest round after two warm-up rounds). Rank 0 prints "<op> <n> <seconds>".
// Usage: benchWorker.ts <backend> <iters> <n>...
import { tensor } from "@gmeta/tensor";
import { initArrayGroup, TensorProcessGroup, type ArrayCollectives, type Backend } from "../src/index.js";

async function fastest(pg: ArrayCollectives, iters: number, fn: () => Promise<unknown>): Promise<number> {
  const t: number[] = [];
  for (let i = 0; i < iters + 2; i++) {
    await pg.barrier();
    const t0 = process.hrtime.bigint();
    await fn();
    if (i >= 2) t.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  t.sort((a, b) => a - b);
  return t[0]!; // the fastest round, as in the raw programs
}

async function main(): Promise<void> {
  const [backend, itersText, ...sizes] = process.argv.slice(2);
  const iters = Number(itersText);
  const pg = await initArrayGroup({ backend: backend as Backend });
  for (const n of sizes.map(Number)) {
    const data = new Float32Array(n).fill(1);
    const ar = await fastest(pg, iters, () => pg.allReduce(data, "sum"));
    const counts = Array.from({ length: pg.size }, (_, r) => Math.floor(n / pg.size) + (r < n % pg.size ? 1 : 0));
    const a2a = await fastest(pg, iters, () => pg.allToAllV(data, counts));
    // The hot-loop form: the caller hands in a receive array it keeps between steps.
    const keep = new Float32Array(n);
    const a2aKeep = await fastest(pg, iters, () => pg.allToAllV(data, counts, () => keep));
    // The public tensor API: receive tensors come from @gmeta/tensor's allocator, freed each step.
    const tpg = new TensorProcessGroup(pg);
    const t = tensor(data, { shape: [n] });
    const a2aTensor = await fastest(pg, iters, async () => (await tpg.allToAllV(t, counts)).recv.dispose());
    t.dispose();
    if (pg.rank === 0) {
      console.log(`allReduce ${n} ${ar}\nallToAllV ${n} ${a2a}\nallToAllV+keep ${n} ${a2aKeep}\nallToAllV(tensor) ${n} ${a2aTensor}`);
    }
  }
  await pg.close();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
