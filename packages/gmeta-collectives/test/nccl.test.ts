// The NCCL process group where no GPU or NCCL exists: availability reporting, the clear
// error of initProcessGroup({ backend: "nccl" }), the loader's error paths (child processes:
// the loader remembers its first answer) and the pure send/recv planning. The collectives
// themselves need GPUs and run in scripts/gpu-check.sh.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { backends } from "@gmeta/tensor";
import { describe, expect, it } from "vitest";
import { initProcessGroup, ncclAvailability } from "../src/index.js";
import { sendRecvPlan } from "../src/nccl/NcclProcessGroup.js";

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
