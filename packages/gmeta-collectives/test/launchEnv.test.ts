// Environment parsing and backend choice: pure, no processes.
import { describe, expect, it } from "vitest";
import { defaultBackend, initArrayGroup, readLaunchEnv } from "../src/index.js";

describe("readLaunchEnv", () => {
  it("reads torchrun variables; our store takes MASTER_PORT + 1 beside torchrun's", () => {
    const e = readLaunchEnv({ RANK: "3", WORLD_SIZE: "4", LOCAL_RANK: "1", LOCAL_WORLD_SIZE: "2", MASTER_ADDR: "10.0.0.1", MASTER_PORT: "29500", TORCHELASTIC_RUN_ID: "abc" });
    expect(e).toMatchObject({ rank: 3, size: 4, localRank: 1, localSize: 2, masterAddr: "10.0.0.1", masterPort: 29501, launchedBy: "torchrun", token: "abc", hostsStore: false });
  });

  it("reads the gmeta launcher's variables; the launcher hosts the store", () => {
    const e = readLaunchEnv({ RANK: "0", WORLD_SIZE: "2", MASTER_PORT: "4000", GMETA_LAUNCHER_PID: "1", GMETA_STORE_TOKEN: "t", GMETA_JOB_ID: "j" });
    expect(e).toMatchObject({ rank: 0, size: 2, masterAddr: "127.0.0.1", masterPort: 4000, launchedBy: "gmeta", token: "t", jobId: "j", hostsStore: false });
  });

  it("reads OpenMPI and SLURM variables", () => {
    expect(readLaunchEnv({ OMPI_COMM_WORLD_RANK: "1", OMPI_COMM_WORLD_SIZE: "2", OMPI_COMM_WORLD_LOCAL_RANK: "1", OMPI_COMM_WORLD_LOCAL_SIZE: "2" })).toMatchObject({
      rank: 1,
      size: 2,
      localRank: 1,
      launchedBy: "mpirun",
    });
    expect(readLaunchEnv({ SLURM_PROCID: "5", SLURM_NTASKS: "8", SLURM_LOCALID: "1", SLURM_JOB_ID: "77" })).toMatchObject({
      rank: 5,
      size: 8,
      localRank: 1,
      launchedBy: "slurm",
      token: "slurm-77-0",
    });
  });

  it("defaults to rank 0 of 1 hosting its own store, and rejects a rank outside the world", () => {
    expect(readLaunchEnv({})).toMatchObject({ rank: 0, size: 1, launchedBy: "none", hostsStore: true });
    expect(() => readLaunchEnv({ RANK: "2", WORLD_SIZE: "2" })).toThrow("rank 2 does not fit world size 2");
  });

  it("picks Gloo outside mpirun", () => {
    expect(defaultBackend(readLaunchEnv({}))).toBe("gloo");
  });
});

describe("initArrayGroup", () => {
  it("sends NCCL callers to the tensor process group", async () => {
    await expect(initArrayGroup({ backend: "nccl", env: {} })).rejects.toThrow('initArrayGroup: backend "nccl" works on CUDA tensors only');
  });

  it("refuses MPI outside mpirun", async () => {
    await expect(initArrayGroup({ backend: "mpi", env: {} })).rejects.toThrow("needs a process started by mpirun");
  });

  it("runs a world of one without any peer", async () => {
    const pg = await initArrayGroup({ env: {}, store: { kind: "tcp", port: 0 } });
    expect([pg.rank, pg.size, pg.backend]).toEqual([0, 1, "gloo"]);
    const a = new Float64Array([1, 2]);
    expect(Array.from(await pg.allReduce(a, "mean"))).toEqual([1, 2]);
    const { recv, recvCounts } = await pg.allToAllV(new Int32Array([4, 5]), [2]);
    expect([Array.from(recv), recvCounts]).toEqual([[4, 5], [2]]);
    expect(() => pg.allReduce(new Int32Array(1), "mean")).toThrow('allReduce: expected a float32 or float64 array for op "mean" for data, got a Int32Array');
    expect(() => pg.allToAllV(new Int32Array(2), [3])).toThrow("allToAllV: expected sendCounts summing to send.length 2 for sendCounts");
    expect(() => pg.allReduce([1, 2] as unknown as Float32Array)).toThrow("allReduce: expected a Float32Array, Float64Array, Int32Array or BigInt64Array for data");
    await pg.close();
  });
});
