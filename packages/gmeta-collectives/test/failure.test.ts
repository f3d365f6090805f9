// Failures never hang and never abort: a killed rank, a missing rank, a reused FileStore path.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { alive, launchWorker, PACKAGE_DIR, workerCommand } from "./helpers.js";

function runRank(rank: number, size: number, port: number, args: string[], extra: NodeJS.ProcessEnv = {}) {
  const [file, ...rest] = workerCommand("failureWorker.ts", ...args);
  const child = spawn(file!, rest, {
    cwd: PACKAGE_DIR,
    env: { ...process.env, RANK: String(rank), WORLD_SIZE: String(size), MASTER_ADDR: "127.0.0.1", MASTER_PORT: String(port), GMETA_STORE_TOKEN: "test-token", ...extra },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  // A hung rank must not outlive the test.
  const guard = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const done = new Promise<{ code: number | null; signal: string | null; out: string }>((resolve) =>
    child.on("close", (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, out });
    }),
  );
  return Object.assign(done, { child });
}

const freePort = () => 20000 + Math.floor(Math.random() * 20000);

describe("a rank killed mid-collective", () => {
  it("the survivor gets an Error naming the operation and the peer, within the timeout", async () => {
    const port = freePort();
    const timeoutMs = 10_000;
    const [r0, r1] = await Promise.all([0, 1].map((r) => runRank(r, 2, port, ["kill"], { TEST_TIMEOUT_MS: String(timeoutMs) })));
    expect(r1!.signal).toBe("SIGKILL");
    expect(r0!.code, r0!.out).toBe(3);
    const m = /CAUGHT (\d+) (.*)/.exec(r0!.out);
    expect(m, r0!.out).not.toBeNull();
    expect(Number(m![1])).toBeLessThan(timeoutMs);
    expect(m![2]).toContain("allReduce failed on rank 0");
    expect(m![2]).toContain("peer rank 1 is gone");
  });

  it("the launcher stops the others, exits non-zero naming the rank, and leaves no process", async () => {
    const { result, out } = await launchWorker(2, workerCommand("failureWorker.ts", "kill"), { TEST_TIMEOUT_MS: "10000" });
    expect(result.failedRank, out).toBe(1);
    expect(result.exitCode).toBe(128 + 9);
    expect(result.message).toBe("launch: rank 1 was killed by SIGKILL; the other ranks were stopped");
    for (const r of result.ranks) expect(alive(r.pid)).toBe(false);
  });
});

describe("a rank killed between collectives", () => {
  it("every later operation fails with an Error naming itself and the peer", async () => {
    const port = freePort();
    const [r0] = await Promise.all([0, 1].map((r) => runRank(r, 2, port, ["idle"])));
    expect(r0!.code, r0!.out).toBe(0);
    const caught = r0!.out.split("\n").filter((l) => l.startsWith("CAUGHT "));
    const ops = ["allReduce", "allToAllV (count exchange)", "allGather (count exchange)", "allGatherV (count exchange)", "broadcast", "barrier"];
    expect(caught.map((l) => l.split(" failed on rank 0: ")[0]!.slice(7))).toEqual(ops);
    for (const l of caught) expect(l).toContain("peer rank 1 is gone");
  });
});

describe("a stuck rank", () => {
  it("a collective it never joins times out with an Error, not a hang", async () => {
    const port = freePort();
    const [r0, r1] = await Promise.all([0, 1].map((r) => runRank(r, 2, port, ["stall"])));
    expect(r1!.code, r1!.out).toBe(0);
    expect(r0!.code, r0!.out).toBe(3);
    const m = /CAUGHT (\d+) (.*)/.exec(r0!.out);
    expect(Number(m![1])).toBeLessThan(1500 + 2500);
    expect(m![2]).toContain("allReduce failed on rank 0: no peer has left the job and every peer still sends heartbeats: a peer is stuck or slow");
    expect(m![2]).toMatch(/Timed out/i);
  });
});

describe("a frozen rank (SIGSTOP)", () => {
  it("is named in the timeout error: its heartbeats through the store stopped", async () => {
    const port = freePort();
    const runs = [0, 1].map((r) => runRank(r, 2, port, ["freeze"]));
    const r0 = await runs[0]!;
    // A stopped process cannot act on SIGTERM; SIGKILL ends it.
    runs[1]!.child.kill("SIGKILL");
    expect(r0.code, r0.out).toBe(3);
    const m = /CAUGHT (\d+) (.*)/.exec(r0.out);
    expect(m, r0.out).not.toBeNull();
    expect(Number(m![1])).toBeLessThan(5000 + 3000);
    expect(m![2]).toMatch(/allReduce failed on rank 0: peer rank 1 stopped answering \(no heartbeat for [\d.]+ s: stopped, frozen or starved\)/);
    await runs[1];
  });
});

describe("a missing rank", () => {
  it("rendezvous fails with a timeout error instead of hanging", async () => {
    const t0 = Date.now();
    const r = await runRank(0, 2, freePort(), ["join"], { GMETA_TIMEOUT_MS: "1500" });
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain("FAILED initProcessGroup: rank 1 did not join within 1500 ms (init (rendezvous of 2 ranks)");
    expect(r.out).toContain("keys job/1 missing after 1500 ms");
    expect(Date.now() - t0).toBeLessThan(15_000);
  });
});

describe("FileStore", () => {
  it("a fresh job id per job works on the same path; a reused one is an error, not an abort", async () => {
    const path = mkdtempSync(join(tmpdir(), "gmeta-fs-"));
    const cmd = workerCommand("failureWorker.ts", "filestore", path);
    const a = await launchWorker(2, cmd, { GMETA_JOB_ID: "job-a" });
    expect(a.result.exitCode, a.out).toBe(0);
    const b = await launchWorker(2, cmd, { GMETA_JOB_ID: "job-b" });
    expect(b.result.exitCode, b.out).toBe(0);
    const again = await launchWorker(2, cmd, { GMETA_JOB_ID: "job-a" });
    expect(again.result.exitCode, again.out).toBe(1);
    expect(again.out).toContain("already holds rank");
    expect(again.result.ranks.every((r) => r.signal === null || r.signal === "SIGTERM")).toBe(true);
  });
});
