// The NCCL process group where no GPU or NCCL exists: availability reporting, the clear
// error of initProcessGroup({ backend: "nccl" }), the loader's error paths (child processes:
// the loader remembers its first answer) and the pure send/recv planning. The collectives
// themselves need GPUs and run in scripts/gpu-check.sh.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { backends, tensor } from "@gmeta/tensor";
import { describe, expect, it } from "vitest";
import { initProcessGroup, ncclAvailability } from "../src/index.js";
import { NcclProcessGroup, sendRecvPlan } from "../src/nccl/NcclProcessGroup.js";
import type { DeviceHooks } from "../src/nccl/NcclProcessGroup.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const avail = ncclAvailability();
if (!avail.available) console.info(`[gmeta-collectives tests] nccl: GPU collectives skipped (${avail.reason})`);

function ncclIn(env: Record<string, string>): { loaded: boolean; reason: string } {
  const script = `import("${join(root, "src", "index.ts").replace(/\\/g, "/")}").then(C => console.log(JSON.stringify(C.ncclAvailability())))`;
  const out = execFileSync(process.execPath, ["--import", "tsx", "-e", script], { cwd: root, env: { ...process.env, ...env }, encoding: "utf8" });
  return JSON.parse(out.trim().split("\n").pop()!) as { loaded: boolean; reason: string };
}

describe("NCCL availability", () => {
  it("names every missing piece", () => {
    const cuda = backends().cuda;
    if (avail.available) {
      expect(avail.reason).toBe("");
      expect(avail.version).toMatch(/^\d+\.\d+\.\d+$/);
      return;
    }
    if (!cuda.available) expect(avail.reason).toContain(`no CUDA GPU (${cuda.reason})`);
    if (!avail.loaded) expect(avail.reason).toMatch(/NCCL not found: tried .*; set GMETA_NCCL_PATH to libnccl.so.2 or its folder/);
  });

  it.skipIf(avail.available)('initProcessGroup({ backend: "nccl" }) throws what is missing, before any rendezvous', async () => {
    await expect(initProcessGroup({ backend: "nccl", env: {} })).rejects.toThrow(
      `initProcessGroup: backend "nccl" is unavailable here: ${avail.reason}. Use backend "gloo" for CPU tensors.`,
    );
  });

  it("GMETA_NCCL_PATH: a folder without NCCL lists the files tried", () => {
    const dir = mkdtempSync(join(tmpdir(), "gmeta-no-nccl-"));
    try {
      const s = ncclIn({ GMETA_NCCL_PATH: dir });
      expect(s.loaded).toBe(false);
      expect(s.reason).toContain(`NCCL not found: tried ${dir}/libnccl.so.2, ${dir}/libnccl.so; set GMETA_NCCL_PATH`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("GMETA_NCCL_PATH: a file that is not NCCL is refused by name", () => {
    const s = ncclIn({ GMETA_NCCL_PATH: "/nonexistent/libnccl.so.2" });
    expect(s.loaded).toBe(false);
    expect(s.reason).toContain("NCCL not found: tried /nonexistent/libnccl.so.2; set GMETA_NCCL_PATH");
  });
});

describe("grouped send/recv planning (pure)", () => {
  it("allToAllV: blocks back to back in rank order, empty blocks left out", () => {
    const p = sendRecvPlan(1000n, [2, 0, 3], 5000n, [1, 4, 0], 4, 4);
    expect(p.sends).toEqual([[0, 1000n, 8], [2, 1000n + 2n * 16n, 12]]);
    expect(p.recvs).toEqual([[0, 5000n, 4], [1, 5000n + 16n, 16]]);
  });

  it("allGatherV: every peer gets the whole send buffer", () => {
    const p = sendRecvPlan(64n, [3, 3], 128n, [3, 1], 2, 8, true);
    expect(p.sends).toEqual([[0, 64n, 6], [1, 64n, 6]]);
    expect(p.recvs).toEqual([[0, 128n, 6], [1, 128n + 3n * 16n, 2]]);
  });

  it("zero-width rows move nothing", () => {
    expect(sendRecvPlan(0n, [1, 1], 0n, [1, 1], 0, 4)).toEqual({ sends: [], recvs: [] });
  });
});

// The group's waiting, timeout and abort logic, with the device replaced by fakes: each call
// records a marker, and the test decides when markers complete and what NCCL reports.
describe("NcclProcessGroup waits, times out and aborts (fake device and communicator)", () => {
  function fake(timeoutMs: number) {
    const done = new Set<bigint>();
    const destroyed: bigint[] = [];
    let next = 1n;
    const calls: string[] = [];
    const state = { asyncError: "", destroyedWith: undefined as boolean | undefined };
    const comm = {
      allReduce: (_s: bigint, _r: bigint, count: number, dtype: number, op: number) => void calls.push(`allReduce ${count} ${dtype} ${op}`),
      broadcast: () => void calls.push("broadcast"),
      allGather: () => void calls.push("allGather"),
      sendRecv: () => void calls.push("sendRecv"),
      asyncError: () => state.asyncError,
      destroy: (abort?: boolean) => void (state.destroyedWith = abort === true),
    };
    const hooks: DeviceHooks = {
      devicePointer: () => 0x1000n,
      cudaStream: () => 0x2000n,
      useDevice: () => {},
      recordEvent: () => next++,
      eventDone: (e) => done.has(e),
      destroyEvent: (e) => void destroyed.push(e),
    };
    const pg = new NcclProcessGroup(comm, 0, 2, "cpu", timeoutMs, hooks);
    return { pg, done, destroyed, calls, state };
  }

  it("a call settles when its marker completes, with its value, and frees the marker", async () => {
    const f = fake(5_000);
    const t = tensor([1, 2, 3]);
    const p = f.pg.allReduce(t, "mean");
    await new Promise((r) => setTimeout(r, 5));
    f.done.add(1n);
    await expect(p).resolves.toBe(t);
    expect(f.calls).toEqual(["allReduce 3 7 4"]);
    expect(f.destroyed).toEqual([1n]);
    await f.pg.close();
    expect(f.state.destroyedWith).toBe(false);
    t.dispose();
  });

  it("past the timeout the communicator is aborted, the call rejects naming it, later calls fail, and a pending call does not succeed", async () => {
    const f = fake(60);
    const a = tensor([1]);
    const b = tensor([2]);
    const first = f.pg.allReduce(a);
    // A long timeout for the second call, so only the first can time out.
    f.pg.setTimeout(60_000);
    const second = f.pg.broadcast(b, 1).then(() => "resolved", (e: Error) => e.message);
    const t0 = Date.now();
    await expect(first).rejects.toThrow(
      "allReduce: not finished after 60 ms (a peer did not take part, or has died); the NCCL communicator of rank 0 of 2 was aborted",
    );
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(f.state.destroyedWith).toBe(true);
    // The abort lets the second call's kernels exit: its marker completes, but it must not resolve.
    f.done.add(2n);
    expect(await second).toBe("broadcast: the NCCL process group failed: allReduce not finished after 60 ms (a peer did not take part, or has died)");
    await expect(f.pg.allReduce(a)).rejects.toThrow("allReduce: the NCCL process group failed earlier: allReduce not finished after 60 ms");
    a.dispose();
    b.dispose();
  });

  it("an asynchronous NCCL error aborts at once, naming NCCL's message", async () => {
    const f = fake(60_000);
    const a = tensor([1]);
    const p = f.pg.allReduce(a);
    f.state.asyncError = "remote process exited or there was a network error";
    await expect(p).rejects.toThrow('allReduce: NCCL reported "remote process exited or there was a network error"; the NCCL communicator of rank 0 of 2 was aborted');
    expect(f.state.destroyedWith).toBe(true);
    a.dispose();
  });
});
