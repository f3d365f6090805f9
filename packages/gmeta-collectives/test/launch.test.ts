// The launcher on plain programs: output prefixes, exit status, fail-fast, signal forwarding.
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { alive, launchWorker, launchWorkerWith, workerCommand, PACKAGE_DIR } from "./helpers.js";

const node = (code: string) => [process.execPath, "-e", code];

describe("launch", () => {
  it("sets the torchrun variables and prefixes every line with the rank", async () => {
    const { result, out } = await launchWorker(2, node("console.log('a', process.env.RANK, process.env.WORLD_SIZE, process.env.LOCAL_RANK); console.log('b')"));
    expect(result.exitCode).toBe(0);
    // Ranks print concurrently, so lines of different ranks may interleave; each rank's own
    // lines keep their order.
    const lines = out.split("\n");
    expect(lines.filter((l) => l.startsWith("[rank 0] "))).toEqual(["[rank 0] a 0 2 0", "[rank 0] b"]);
    expect(lines.filter((l) => l.startsWith("[rank 1] "))).toEqual(["[rank 1] a 1 2 1", "[rank 1] b"]);
  });

  it("a failing rank stops the others (TERM, then KILL) and is named with its status", async () => {
    const t0 = Date.now();
    const { result } = await launchWorker(
      3,
      // Rank 2 fails; rank 1 ignores TERM so the KILL after the grace period is needed.
      node("if (process.env.RANK === '2') setTimeout(() => process.exit(7), 300); if (process.env.RANK === '1') process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"),
    );
    expect(result.exitCode).toBe(7);
    expect(result.failedRank).toBe(2);
    expect(result.message).toBe("launch: rank 2 exited with status 7; the other ranks were stopped");
    expect(result.ranks[0]!.signal).toBe("SIGTERM");
    expect(result.ranks[1]!.signal).toBe("SIGKILL");
    expect(Date.now() - t0).toBeLessThan(10_000);
    for (const r of result.ranks) expect(alive(r.pid)).toBe(false);
  });

  it("forwards SIGTERM to the ranks and exits 143, leaving no process", async () => {
    const [file, ...args] = workerCommand("launcherMain.ts", "2", ...node("console.log('pid', process.pid); setInterval(() => {}, 1000)"));
    const launcher = spawn(file!, args, { cwd: PACKAGE_DIR, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    launcher.stdout.on("data", (d) => {
      out += d;
      if ((out.match(/pid \d+/g) ?? []).length === 2) launcher.kill("SIGTERM");
    });
    launcher.stderr.on("data", (d) => (out += d));
    const code = await new Promise<number | null>((r) => launcher.on("close", (c) => r(c)));
    expect(code, out).toBe(143);
    expect(out).toContain("interrupted by SIGTERM");
    const pids = [...out.matchAll(/pid (\d+)/g)].map((m) => Number(m[1]));
    expect(pids).toHaveLength(2);
    for (const p of pids) expect(alive(p)).toBe(false);
  });

  it("two launchers as two nodes form one world through node 0's store", async () => {
    const master = `127.0.0.1:${20000 + Math.floor(Math.random() * 20000)}`;
    const common = { nproc: 2, nnodes: 2, master, token: "shared-secret", env: { ...process.env, GMETA_JOB_ID: "" } };
    const cmd = workerCommand("tensorWorker.ts");
    const [a, b] = await Promise.all([
      launchWorkerWith({ ...common, nodeRank: 0, command: cmd }),
      launchWorkerWith({ ...common, nodeRank: 1, command: cmd }),
    ]);
    expect(a.result.exitCode, a.out + b.out).toBe(0);
    expect(b.result.exitCode, a.out + b.out).toBe(0);
    expect(a.out).toContain("[rank 1] rank 1/4: tensor collectives ok");
    expect(b.out).toContain("[rank 3] rank 3/4: tensor collectives ok");
  });

  it("a job on several nodes needs a shared token", async () => {
    const { launch } = await import("../src/index.js");
    await expect(launch({ nproc: 1, nnodes: 2, master: "127.0.0.1:1234", command: ["true"], env: {} })).rejects.toThrow("needs the same token on each");
  });

  it("an aborted launch stops every rank", async () => {
    const { launch } = await import("../src/index.js");
    const result = await launch({ nproc: 2, command: node("setInterval(() => {}, 1000)"), signal: AbortSignal.timeout(500), graceMs: 1000 });
    expect(result.exitCode).toBe(143);
    expect(result.ranks.map((r) => r.signal)).toEqual(["SIGTERM", "SIGTERM"]);
    for (const r of result.ranks) expect(alive(r.pid)).toBe(false);
  });

  it("rejects bad options with the project's argument error", async () => {
    const { launch } = await import("../src/index.js");
    await expect(launch({ nproc: 0, command: ["true"] })).rejects.toThrow("launch: expected a positive integer for nproc, got number 0");
    await expect(launch({ nproc: 1, command: ["true"], master: "nohost" })).rejects.toThrow('expected "host:port" for master');
  });
});
