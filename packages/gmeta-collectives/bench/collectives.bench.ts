// Benchmark program (not a test): allReduce and allToAllV over 1K..16M float32 on N local
// ranks, for the Node process group beside a raw C++ program doing the same operation in the
// same run (Gloo: gloo_raw_bench; MPI: mpi_raw_bench under mpirun). Prints one table.
//   node --import tsx bench/collectives.bench.ts [--ranks 2] [--backends gloo,mpi] [--sizes 1024,...]
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { launch, mpiBuilt } from "../src/index.js";
import { buildArtifact } from "../src/native/binding.js";

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string) => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1]! : dflt);
const ranks = Number(opt("ranks", "2"));
const backends = opt("backends", "gloo,mpi").split(",");
const sizes = opt("sizes", [1 << 10, 1 << 14, 1 << 18, 1 << 20, 1 << 22, 1 << 24].join(",")).split(",").map(Number);
// Fewer rounds for the large sizes keep the whole run around a minute on a small machine.
const itersFor = (n: number) => (n >= 1 << 22 ? 5 : n >= 1 << 20 ? 10 : 30);

type Times = Map<string, number>; // "op n" -> seconds

function parse(text: string): Times {
  const t: Times = new Map();
  for (const m of text.matchAll(/(allReduce|allToAllV\+keep|allToAllV\(tensor\)|allToAllV) (\d+) ([\d.e-]+)/g)) t.set(`${m[1]} ${m[2]}`, Number(m[3]));
  return t;
}

class Collect extends Writable {
  text = "";
  override _write(c: Buffer, _e: string, cb: () => void): void {
    this.text += c.toString();
    cb();
  }
}

async function tsRun(backend: string, n: number): Promise<Times> {
  const cmd = [process.execPath, "--import", "tsx", join(import.meta.dirname, "benchWorker.ts"), backend, String(itersFor(n)), String(n)];
  if (backend === "mpi") {
    const r = spawnSync("mpirun", ["--allow-run-as-root", "--oversubscribe", "-np", String(ranks), ...cmd], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`mpi bench failed: ${r.stderr}`);
    return parse(r.stdout);
  }
  const out = new Collect();
  const res = await launch({ nproc: ranks, command: cmd, stdout: out, stderr: out });
  if (res.exitCode !== 0) throw new Error(`${res.message}\n${out.text}`);
  return parse(out.text);
}

async function rawRun(backend: string, n: number): Promise<Times> {
  const args = [String(itersFor(n)), String(n)];
  if (backend === "mpi") {
    const r = spawnSync("mpirun", ["--allow-run-as-root", "--oversubscribe", "-np", String(ranks), buildArtifact("mpi_raw_bench"), ...args], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`mpi_raw_bench failed: ${r.stderr}`);
    return parse(r.stdout);
  }
  const dir = mkdtempSync(join(tmpdir(), "gmeta-bench-"));
  try {
    const procs = Array.from({ length: ranks }, (_, r) =>
      import("node:child_process").then(({ spawn }) => {
        const p = spawn(buildArtifact("gloo_raw_bench"), [String(r), String(ranks), dir, ...args]);
        let out = "";
        p.stdout.on("data", (d) => (out += d));
        p.stderr.on("data", (d) => (out += d));
        return new Promise<string>((res, rej) => p.on("close", (c) => (c === 0 ? res(out) : rej(new Error(`gloo_raw_bench: ${out}`)))));
      }),
    );
    return parse((await Promise.all(procs)).join("\n"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function best(a: Times, b: Times): Times {
  return new Map([...a].map(([k, v]) => [k, Math.min(v, b.get(k) ?? v)]));
}

const fmtN = (n: number) => (n >= 1 << 20 ? `${n >> 20}M` : `${n >> 10}K`);
const ms = (s: number) => (s * 1e3).toFixed(3).padStart(9);

async function main(): Promise<void> {
  console.log(`ranks=${ranks} on one host (loopback / shared memory); float32; fastest of rounds; ratio = raw time / node time (1 = parity)`);
  console.log("backend  op                 size    node ms    raw ms   node GB/s  ratio");
  for (const backend of backends) {
    if (backend === "mpi" && !mpiBuilt()) {
      console.log("mpi: skipped, the MPI addon was not built");
      continue;
    }
    for (const n of sizes) {
      // Alternate the two sides per size (twice) and keep each side's fastest, so load from
      // other work on the host hits both alike.
      const raw = best(await rawRun(backend, n), await rawRun(backend, n).then((r) => r));
      const ts = best(await tsRun(backend, n), await tsRun(backend, n));
      // allToAllV allocates the receive array per call; allToAllV+keep receives into an array
      // kept between calls (Node: the alloc argument), on both sides; allToAllV(tensor) is the
      // tensor ProcessGroup, against the raw per-call figure.
      for (const op of ["allReduce", "allToAllV", "allToAllV+keep", "allToAllV(tensor)"]) {
        const t = ts.get(`${op} ${n}`)!;
        const r = raw.get(`${op === "allToAllV(tensor)" ? "allToAllV" : op} ${n}`)!;
        const gbs = ((n * 4) / t / 1e9).toFixed(2).padStart(9);
        console.log(`${backend.padEnd(8)} ${op.padEnd(17)} ${fmtN(n).padStart(5)} ${ms(t)} ${ms(r)} ${gbs}  ${(r / t).toFixed(2)}`);
      }
    }
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
