// Faults from outside the input: a full disk, a read-only file system, Ctrl-C on one and two
// ranks, a crash's leftovers, and mpirun's ranks. Each is a real process of the built command.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syntheticSchema } from "@gmeta/io";
import { mpiBuilt } from "@gmeta/collectives";
import { runPrepare } from "../src/commands/prepare.js";
import { runSynth } from "../src/commands/synth.js";
import { BIN, gmeta, tmp } from "./helpers.js";
import { LEFTOVER, snapshot } from "./corpus/sandbox.js";

const dir = tmp("faults");
let raw = "";
let tasks = "";

beforeAll(async () => {
  const syn = await runSynth({ out: join(dir, "raw.arrow"), users: 300, items: 2000, categories: 8, samplesPerUser: [6, 20], dense: 3, seed: 4 });
  raw = syn.file;
  tasks = (await runPrepare({ input: [raw], out: join(dir, "tasks"), schema: syntheticSchema(3), schemaName: "synthetic:3", query: 0.5, minSupport: 2, minQuery: 2, memoryMiB: 64, seed: 1, overwrite: true })).train;
}, 120_000);

const leftovers = (d: string) => Object.keys(snapshot(d)).filter((p) => LEFTOVER.test(p));

// ---- a small tmpfs, full or read-only (root only)
const mounts: string[] = [];
function tmpfs(name: string, options: string): string | null {
  const at = join(dir, name);
  mkdirSync(at, { recursive: true });
  const r = spawnSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", at], { encoding: "utf8" });
  if (r.status !== 0) return null;
  mounts.push(at);
  return at;
}
afterAll(() => {
  for (const m of mounts.reverse()) spawnSync("umount", [m]);
});
const isRoot = process.getuid?.() === 0;
const canMount = isRoot && (() => {
  const probe = tmpfs("probe", "size=64k");
  return probe !== null;
})();
if (!canMount) console.info(`[gmeta-cli faults] full-disk and read-only cases skipped: ${isRoot ? "mount -t tmpfs is not permitted here" : "they need root to mount a small tmpfs"}`);

describe.skipIf(!canMount)("a full disk and a read-only file system (2 MiB tmpfs)", () => {
  it("prepare --holdout on a full disk fails naming ENOSPC and leaves nothing behind", async () => {
    const full = tmpfs("full-prepare", "size=1m")!;
    const big = await runSynth({ out: join(dir, "big.arrow"), users: 3000, items: 2000, categories: 8, samplesPerUser: [8, 40], dense: 3, seed: 4 });
    const r = gmeta(["prepare", "--input", big.file, "--out", join(full, "tasks"), "--schema", "synthetic:3", "--holdout", "0.2"]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr.trim().split("\n").at(-1)).toMatch(/no space left on the device \(ENOSPC\)/);
    expect(readdirSync(full)).toEqual([]);
    expect(readdirSync(dir).filter((n) => n.includes(".tmp"))).toEqual([]);
  });

  it("train on a full disk fails naming ENOSPC, with no half-written checkpoint", () => {
    const full = tmpfs("full-train", "size=1m")!;
    const out = join(full, "run");
    const r = gmeta(["train", "--data", tasks, "--out", out, "--tasks-per-batch", "4", "--max-steps", "3", "--no-baseline", "--embedding-dim", "256", "--checkpoint-every", "1"]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr.trim().split("\n").at(-1)).toMatch(/^gmeta: .*: cannot write.*: no space left on the device \(ENOSPC\)$/);
    expect(leftovers(full)).toEqual([]);
  });

  it("prepare and train onto a read-only file system fail naming EROFS before writing", () => {
    const ro = tmpfs("ro", "size=64k,ro")!;
    const p = gmeta(["prepare", "--input", raw, "--out", join(ro, "tasks"), "--schema", "synthetic:3"]);
    expect(p.code, p.stderr).toBe(1);
    expect(p.stderr.trim()).toMatch(new RegExp(`^gmeta: ${ro}: cannot create .*tasks.*: read-only file system \\(EROFS\\)$`));
    const t = gmeta(["train", "--data", tasks, "--out", join(ro, "run"), "--tasks-per-batch", "4", "--no-baseline"]);
    expect(t.code, t.stderr).toBe(1);
    expect(t.stderr.trim()).toMatch(/read-only file system \(EROFS\)$/);
    expect(readdirSync(ro)).toEqual([]);
  });
});

// ---- permissions (root can read and write anything, so the command runs as nobody)
const setpriv = spawnSync("setpriv", ["--version"], { encoding: "utf8" });
const noDrop = !isRoot ? "it needs root to run the command as another user" : setpriv.status !== 0 ? "setpriv not found (util-linux)" : "";
if (noDrop) console.info(`[gmeta-cli faults] permission cases skipped: ${noDrop}`);

describe.skipIf(noDrop !== "")("permission denied (EACCES), as the user nobody", () => {
  it("an unreadable input and an unwritable output folder are named with the cause, before anything is written", () => {
    const d = join(dir, "perm");
    mkdirSync(join(d, "locked"), { recursive: true });
    mkdirSync(join(d, "open"));
    for (const p of [dir, d, join(d, "locked")]) chmodSync(p, 0o755);
    chmodSync(join(d, "open"), 0o777);
    copyFileSync(raw, join(d, "secret.arrow"));
    chmodSync(join(d, "secret.arrow"), 0o000);
    copyFileSync(raw, join(d, "raw.arrow"));
    chmodSync(join(d, "raw.arrow"), 0o644);
    const asNobody = (args: string[]) => spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, BIN, ...args], { encoding: "utf8", timeout: 60_000 });
    const r = asNobody(["prepare", "--input", join(d, "secret.arrow"), "--out", join(d, "open", "tasks"), "--schema", "synthetic:3"]);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr.trim()).toBe(`gmeta: ${join(d, "secret.arrow")}: cannot read the input: permission denied (EACCES)`);
    const w = asNobody(["prepare", "--input", join(d, "raw.arrow"), "--out", join(d, "locked", "tasks"), "--schema", "synthetic:3"]);
    expect(w.status, w.stderr).toBe(1);
    expect(w.stderr.trim()).toBe(`gmeta: ${join(d, "locked")}: cannot create ${join(d, "locked", "tasks", "manifest.json")}: permission denied (EACCES)`);
    expect(readdirSync(join(d, "locked"))).toEqual([]);
    expect(readdirSync(join(d, "open"))).toEqual([]);
    chmodSync(dir, 0o700);
  });
});

// ---- Ctrl-C
function interruptAfter(args: string[], out: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  child.stdout.resume();
  const metrics = join(out, "metrics.jsonl");
  const poll = setInterval(() => {
    if (existsSync(metrics) && readFileSync(metrics, "utf8").split("\n").length > 3) {
      clearInterval(poll);
      child.kill("SIGINT");
    }
  }, 50);
  const guard = setTimeout(() => child.kill("SIGKILL"), 120_000);
  return new Promise((resolve) =>
    child.on("close", (code) => {
      clearInterval(poll);
      clearTimeout(guard);
      resolve({ code, stderr });
    }),
  );
}

describe("Ctrl-C", () => {
  for (const nproc of [1, 2]) {
    it(`on ${nproc} rank(s): one clear message, exit 130, no half-written checkpoint`, async () => {
      const out = join(dir, `int-${nproc}`);
      const r = await interruptAfter(["train", "--data", tasks, "--out", out, "--nproc", String(nproc), "--tasks-per-batch", "4", "--epochs", "200", "--no-baseline", "--checkpoint-every", "1"], out);
      expect(r.code, r.stderr).toBe(130);
      const lines = r.stderr.split("\n").filter((l) => /interrupted/.test(l));
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^gmeta train: interrupted by SIGINT; .* keeps its last complete checkpoint step-\d+: continue with --resume$|^gmeta train: interrupted by SIGINT; no checkpoint was complete yet/);
      expect(leftovers(out)).toEqual([]);
    }, 150_000);
  }
});

describe("leftovers of a crash", () => {
  it("a stale .partial checkpoint is removed at the next start", () => {
    const out = join(dir, "stale");
    const first = gmeta(["train", "--data", tasks, "--out", out, "--tasks-per-batch", "4", "--max-steps", "2", "--no-baseline", "--checkpoint-every", "1"]);
    expect(first.code, first.stderr).toBe(0);
    const stale = join(out, "checkpoints", "step-000003.partial");
    mkdirSync(join(stale, "embeddings"), { recursive: true });
    writeFileSync(join(stale, "embeddings", "item.shard-0.bin"), "half");
    const again = gmeta(["train", "--data", tasks, "--out", out, "--tasks-per-batch", "4", "--max-steps", "3", "--no-baseline", "--checkpoint-every", "1", "--resume"]);
    expect(again.code, again.stderr).toBe(0);
    expect(existsSync(stale)).toBe(false);
    expect(readdirSync(join(out, "checkpoints")).sort()).toEqual(["step-000001", "step-000002", "step-000003"]);
  });
});

// ---- mpirun
const mpirun = spawnSync("mpirun", ["--version"], { encoding: "utf8" });
const noMpi = mpirun.status !== 0 ? "mpirun not found (apt-get install openmpi-bin)" : !mpiBuilt() ? "the MPI addon was not built" : "";
if (noMpi) console.info(`[gmeta-cli faults] mpirun case skipped: ${noMpi}`);

describe.skipIf(noMpi !== "")("under mpirun -np 2", () => {
  it("only rank 0 writes summary.json and report.md, with rank 0's figures; config.json records the real world size", () => {
    const out = join(dir, "mpi");
    const r = spawnSync("mpirun", ["--allow-run-as-root", "--oversubscribe", "-np", "2", process.execPath, BIN, "train", "--data", tasks, "--out", out, "--backend", "mpi", "--tasks-per-batch", "4", "--max-steps", "6", "--no-baseline"], { encoding: "utf8", timeout: 180_000 });
    expect(r.status, r.stderr).toBe(0);
    const cfg = JSON.parse(readFileSync(join(out, "config.json"), "utf8")) as { nproc: number };
    expect(cfg.nproc).toBe(2);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as { worldSize: number; phases: { samplesPerSec: number }[] };
    expect(summary.worldSize).toBe(2);
    // samples/s is timed by each rank; rank 0 alone writes metrics.jsonl, so the summary's median must be its.
    const rates = readFileSync(join(out, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { step: number; samplesPerSec: number }).filter((m) => m.step > 1).map((m) => m.samplesPerSec).sort((a, b) => a - b);
    const median = rates.length % 2 ? rates[rates.length >> 1]! : (rates[rates.length / 2 - 1]! + rates[rates.length / 2]!) / 2;
    expect(summary.phases[0]!.samplesPerSec).toBe(median);
    expect(readFileSync(join(out, "report.md"), "utf8")).toContain("2 rank(s)");
    expect(readdirSync(out).filter((n) => n.includes(".tmp-"))).toEqual([]);
  }, 200_000);
});
