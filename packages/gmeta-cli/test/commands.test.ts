import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { gmeta, tmp } from "./helpers.js";

const dir = tmp("cmd");

describe("gmeta command line", () => {
  it("prints help for every command and exits 0", () => {
    for (const c of ["demo", "synth", "prepare", "train", "eval", "predict", "launch", "bench", "report", "info"]) {
      const r = gmeta([c, "--help"]);
      expect(r.code, c).toBe(0);
      expect(r.stdout, c).toContain(`gmeta ${c}`);
    }
    expect(gmeta([]).code).toBe(2);
  });

  it("refuses unknown commands, unknown options and bad values with one clear line and status 2", () => {
    expect(gmeta(["frobnicate"]).stderr).toContain('gmeta: unknown command "frobnicate"');
    const bad = gmeta(["train", "--data", "d", "--out", "o", "--inner-steps=-1"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('gmeta train: flags: expected an integer >= 0 for innerSteps, got -1');
    const unknown = gmeta(["train", "--data", "d", "--out", "o", "--lr", "3"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("gmeta train: Unknown option '--lr'");
    const cfg = join(dir, "bad.json");
    writeFileSync(cfg, JSON.stringify({ data: "d", out: "o", algoritm: "maml" }));
    expect(gmeta(["train", "--config", cfg]).stderr).toContain(`gmeta train: ${cfg} and flags: unknown key "algoritm"`);
    writeFileSync(cfg, JSON.stringify({ data: "d", out: "o", nproc: 2, tasksPerBatch: 5 }));
    expect(gmeta(["train", "--config", cfg]).stderr).toContain("expected a multiple of nproc (2) for tasksPerBatch, got 5");
    expect(gmeta(["train", "--data", "d", "--out", "o", "--backend", "nccl"]).stderr).toContain(
      'gmeta train: flags: expected "gloo" or "mpi" with device "cpu" (NCCL works on CUDA tensors: set device "cuda") for backend, got "nccl"',
    );
    expect(gmeta(["synth", "--out", join(dir, "x.csv"), "--samples", "9,3"]).stderr).toContain('gmeta synth: expected MIN,MAX with 1 <= MIN <= MAX for --samples, got "9,3"');
  });

  it("--device cuda is refused with the reason where no GPU is usable", () => {
    const r = gmeta(["train", "--data", "d", "--out", join(dir, "o"), "--device", "cuda"]);
    const info = JSON.parse(gmeta(["info", "--json"]).stdout) as { devices: { cuda: { available: boolean; reason: string } } };
    if (info.devices.cuda.available) {
      console.info(`[gmeta-cli tests] the refusal of --device cuda is not checked: a CUDA device is usable here`);
      return;
    }
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`gmeta train: --device cuda:0 is not usable here: ${info.devices.cuda.reason} (use --device cpu)`);
  });

  it("demo refuses a device or backend it cannot use before writing anything", () => {
    const out = join(dir, "demo-refused");
    const nccl = gmeta(["demo", "--out", out, "--backend", "nccl"]);
    expect(nccl.code).toBe(2);
    expect(nccl.stderr.trim()).toBe('gmeta demo: flags: expected "gloo" or "mpi" with device "cpu" (NCCL works on CUDA tensors: set device "cuda") for backend, got "nccl"');
    const info = JSON.parse(gmeta(["info", "--json"]).stdout) as { devices: { cuda: { available: boolean; reason: string } } };
    if (!info.devices.cuda.available) {
      const cuda = gmeta(["demo", "--out", out, "--device", "cuda"]);
      expect(cuda.code).toBe(2);
      expect(cuda.stderr.trim()).toBe(`gmeta demo: --device cuda:0 is not usable here: ${info.devices.cuda.reason} (use --device cpu)`);
    }
    expect(existsSync(out)).toBe(false);
  });

  it("a missing dataset is an error naming the folder, exit status 1, no run files", () => {
    const out = join(dir, "run-missing");
    const r = gmeta(["train", "--data", join(dir, "nope"), "--out", out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(join(dir, "nope"));
    expect(existsSync(join(out, "summary.json"))).toBe(false);
  });

  it("synth → prepare → info work on their own and write what they say", () => {
    const raw = join(dir, "raw.csv");
    const s = gmeta(["synth", "--out", raw, "--users", "60", "--items", "30", "--samples", "4,10", "--dense", "2", "--seed", "3"]);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stderr).toMatch(/oracle AUC 0\.\d{4}/);
    const p = gmeta(["prepare", "--input", raw, "--out", join(dir, "tasks"), "--schema", "synthetic:2", "--query", "2", "--min-support", "2"]);
    expect(p.code, p.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(dir, "tasks", "manifest.json"), "utf8")) as { counts: { tasks: number } };
    expect(manifest.counts.tasks).toBeGreaterThan(0);
    const info = gmeta(["info", "--json"]);
    expect(info.code).toBe(0);
    const j = JSON.parse(info.stdout) as { devices: { cuda: { available: boolean; reason: string } }; tensor: { blas: string }; packages: Record<string, string> };
    expect(j.tensor.blas).toMatch(/OpenBLAS/);
    const own = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
    expect(j.packages["@gmeta/cli"]).toBe(own.version);
    for (const v of Object.values(j.packages)) expect(v).toMatch(/^\d+\.\d+\.\d+/);
    expect(typeof j.devices.cuda.reason).toBe("string");
  });
});
