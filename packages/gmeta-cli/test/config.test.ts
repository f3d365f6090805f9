import { describe, expect, it } from "vitest";
import { DEFAULT_LEARNER, DEFAULT_TRAINER } from "@gmeta/maml";
import { CHOICES, DEFAULTS, validateConfig } from "../src/config.js";
import { TRAIN_HELP, trainArgs } from "../src/commands/train.js";

describe("the run's settings, written once", () => {
  it("defaults are the libraries' documented values", () => {
    expect(DEFAULTS.innerLr).toBe(DEFAULT_LEARNER.innerLr);
    expect(DEFAULTS.innerSteps).toBe(DEFAULT_LEARNER.innerSteps);
    expect(DEFAULTS.algorithm).toBe(DEFAULT_LEARNER.algorithm);
    expect(DEFAULTS.adapt).toBe(DEFAULT_LEARNER.adapt);
    expect(DEFAULTS.outerLr).toBe(DEFAULT_TRAINER.outerLr);
    expect(DEFAULTS.strategy).toBe(DEFAULT_TRAINER.strategy);
  });

  it("the help text shows the same defaults and choice lists", () => {
    expect(TRAIN_HELP).toContain(`--inner-lr A            inner learning rate (default ${DEFAULT_LEARNER.innerLr})`);
    expect(TRAIN_HELP).toContain(`(default ${DEFAULT_TRAINER.outerLr})`);
    for (const options of Object.values(CHOICES)) expect(TRAIN_HELP).toContain(options.join(" | "));
  });

  it("validateConfig returns a new config and leaves its input as it was", () => {
    const input = Object.freeze({ ...DEFAULTS, data: "d", out: "o", device: "cuda" });
    const cfg = validateConfig(input, "test");
    expect(cfg.device).toBe("cuda:0");
    expect(input.device).toBe("cuda");
    expect(cfg).not.toBe(input);
  });
});

describe("rank and world size come from the launcher's environment", () => {
  const withEnv = <T>(env: Record<string, string>, fn: () => T): T => {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      return fn();
    } finally {
      for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k];
      Object.assign(process.env, saved);
    }
  };
  const torchrun = { RANK: "1", WORLD_SIZE: "4", LOCAL_RANK: "1", LOCAL_WORLD_SIZE: "4", TORCHELASTIC_RUN_ID: "job-7" };

  it("under torchrun config.json records the real world size", () => {
    const a = withEnv(torchrun, () => trainArgs(["--data", "d", "--out", "o", "--tasks-per-batch", "8"]))!;
    expect(a.cfg.nproc).toBe(4);
  });

  it("under mpirun the world size is OMPI_COMM_WORLD_SIZE, and a contradicting --nproc is refused", () => {
    const mpi = { OMPI_COMM_WORLD_RANK: "0", OMPI_COMM_WORLD_SIZE: "2", OMPI_COMM_WORLD_LOCAL_RANK: "0", OMPI_COMM_WORLD_LOCAL_SIZE: "2" };
    expect(withEnv(mpi, () => trainArgs(["--data", "d", "--out", "o", "--tasks-per-batch", "8"]))!.cfg.nproc).toBe(2);
    expect(() => withEnv(mpi, () => trainArgs(["--data", "d", "--out", "o", "--nproc", "3"]))).toThrow(
      "gmeta train: expected --nproc 2 (the world size mpirun started) or none, got 3",
    );
  });
});
