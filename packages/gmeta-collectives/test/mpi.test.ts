// The MPI process group under mpirun: the same conformance worker as Gloo.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { mpiBuilt } from "../src/index.js";
import { PACKAGE_DIR, workerCommand } from "./helpers.js";

const mpirun = spawnSync("mpirun", ["--version"], { encoding: "utf8" });
const reason = mpirun.status !== 0 ? "mpirun not found (apt-get install openmpi-bin)" : !mpiBuilt() ? "the MPI addon was not built (libopenmpi-dev missing at build time)" : "";
if (reason) console.log(`[mpi.test] skipped: ${reason}`);

describe.skipIf(reason !== "")("MpiProcessGroup under mpirun", () => {
  it("2 ranks: every op and dtype", () => {
    const r = spawnSync("mpirun", ["--allow-run-as-root", "--oversubscribe", "-np", "2", ...workerCommand("collectivesWorker.ts", "--backend", "mpi")], {
      cwd: PACKAGE_DIR,
      encoding: "utf8",
      timeout: 90_000,
    });
    const out = `${r.stdout}${r.stderr}`;
    expect(r.status, out).toBe(0);
    expect(out).toContain("rank 0/2 mpi: 106 checks ok");
    expect(out).toContain("rank 1/2 mpi: 106 checks ok");
  });

  it("picks MPI by default under mpirun", () => {
    const code = `import("${PACKAGE_DIR}/src/index.ts").then(async (m) => { const pg = await m.initArrayGroup(); console.log("backend=" + pg.backend); await pg.close(); })`;
    const r = spawnSync("mpirun", ["--allow-run-as-root", "-np", "1", process.execPath, "--import", "tsx", "-e", code], {
      cwd: PACKAGE_DIR,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    expect(r.stdout).toContain("backend=mpi");
  });
});
