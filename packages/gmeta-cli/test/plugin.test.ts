import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { readScores } from "@gmeta/io";
import { auc } from "@gmeta/maml";
import { latestCheckpoint } from "../src/run/runFiles.js";
import { gmeta, tmp, syntheticTasks } from "./helpers.js";
import { writePredictInput } from "./predictInputFile.js";

// The example plugin, built as its authors would build it (ESM and CJS from one source).
const EXAMPLE = fileURLToPath(new URL("../../../examples/wide-deep-model", import.meta.url));
const dir = tmp("plugin");
let train = "";
let test = "";

beforeAll(async () => {
  execFileSync(process.execPath, [join(EXAMPLE, "../../node_modules/tsup/dist/cli-default.js")], { cwd: EXAMPLE, stdio: "pipe" });
  // A project that has the plugin installed under node_modules, as npm would put it.
  mkdirSync(join(dir, "node_modules"), { recursive: true });
  symlinkSync(EXAMPLE, join(dir, "node_modules", "gmeta-model-wide-deep"), "dir");
  const { prep } = await syntheticTasks(dir, { users: 200, items: 80, categories: 6, samplesPerUser: [6, 16], dense: 2, seed: 4 }, { minSupport: 2, minQuery: 2, holdout: 0.25, seed: 4 });
  train = prep.train;
  test = prep.test!;
}, 120_000);

const common = () => ["--data", train, "--tasks-per-batch", "8", "--epochs", "1", "--seed", "5", "--model-options", '{"hidden":[8]}'];

describe("a model plugin through the gmeta command", () => {
  it("the example model passes checkModel (tasks batched equal tasks one by one)", async () => {
    const { checkModel, defaultSlots } = await import("@gmeta/maml");
    const { createModel } = (await import(join(EXAMPLE, "dist", "index.js"))) as { createModel: import("@gmeta/maml").ModelFactory };
    const manifest = { denseDim: 3, slots: [{ name: "item", list: false, vocab: 10 }, { name: "tags", list: true, vocab: 6 }] };
    const model = createModel({ manifest, denseDim: 3, embeddingDim: 4, slots: defaultSlots(manifest), options: { hidden: [5] } });
    for (const algorithm of ["maml", "fomaml", "metasgd"] as const) {
      for (const adapt of ["all", "head"] as const) {
        const r = checkModel(model, { algorithm, adapt });
        expect(r.maxAbsGrad).toBeGreaterThan(1e-4);
      }
    }
  });

  it("an npm package (ESM) trains on 2 ranks, resumes, evaluates, predicts and is named in the report", async () => {
    const run = join(dir, "esm");
    const a = gmeta(["train", ...common(), "--out", run, "--model", "gmeta-model-wide-deep", "--nproc", "2", "--max-steps", "3", "--checkpoint-every", "2", "--no-baseline"], dir);
    expect(a.code, a.stderr).toBe(0);
    const b = gmeta(["train", ...common(), "--out", run, "--model", "gmeta-model-wide-deep", "--nproc", "2", "--max-steps", "6", "--no-baseline", "--eval", test, "--resume"], dir);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toContain("resumed from");
    expect((JSON.parse(readFileSync(join(latestCheckpoint(run)!, "trainer.json"), "utf8")) as { step: number }).step).toBe(6);
    expect(b.stdout).toContain("G-Meta run: WideAndDeep, maml");
    const ev = gmeta(["eval", "--run", run, "--data", test], dir);
    expect(ev.code, ev.stderr).toBe(0);
    const res = JSON.parse(readFileSync(join(run, "eval.json"), "utf8")) as { eval: { adapted: { auc: number }; tasks: number } };
    expect(res.eval.tasks).toBeGreaterThan(10);
    expect(res.eval.adapted.auc).toBeGreaterThan(0.3);
    // The same checkpoint evaluated by eval and at the end of training gives the same scores.
    const summary = JSON.parse(readFileSync(join(run, "summary.json"), "utf8")) as { phases: { eval: { adapted: { auc: number } } }[] };
    expect(res.eval.adapted.auc).toBeCloseTo(summary.phases[0]!.eval.adapted.auc, 5);
    // predict on the held-out users scores what eval scored.
    const input = join(dir, "new-users.arrow");
    const truth = await writePredictInput(test, input);
    const pr = gmeta(["predict", "--run", run, "--input", input, "--out", join(dir, "scores.csv"), "--nproc", "2"], dir);
    expect(pr.code, pr.stderr).toBe(0);
    const scores = await readScores(join(dir, "scores.csv"));
    expect(auc(truth.labels, scores.score)).toBeCloseTo(res.eval.adapted.auc, 5);
    const rep = gmeta(["report", "--run", run], dir);
    expect(rep.code, rep.stderr).toBe(0);
    expect(rep.stdout).toContain("WideAndDeep");
  }, 300_000);

  it("a CJS program with the CJS build of the plugin, by path, trains (naive strategy) and evaluates", () => {
    const run = join(dir, "cjs");
    const host = join(EXAMPLE, "test", "gmeta.cjs");
    const r = spawnSync(process.execPath, [host, "train", ...common(), "--out", run, "--model", join(EXAMPLE, "dist", "index.cjs"), "--max-steps", "4", "--eval", test, "--strategy", "naive"], { encoding: "utf8", cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(run, "report.md"), "utf8")).toContain("WideAndDeep");
    const cfg = JSON.parse(readFileSync(join(run, "config.json"), "utf8")) as { model: string; modelOptions: unknown };
    expect(cfg.model).toBe(join(EXAMPLE, "dist", "index.cjs"));
    expect(cfg.modelOptions).toEqual({ hidden: [8] });
  }, 300_000);

  it("refuses a model that cannot be found or loaded, before any run folder is written", () => {
    const out = join(dir, "bad");
    const missing = gmeta(["train", ...common(), "--out", out, "--model", "./no-such-model.js"], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`gmeta train: --model ${join(dir, "no-such-model.js")}: no such file; use one of "dlrm", "melu", a path to a module`);
    const pkg = gmeta(["train", ...common(), "--out", out, "--model", "no-such-package"], dir);
    expect(pkg.code).toBe(2);
    expect(pkg.stderr).toContain("gmeta train: --model no-such-package: no such package (not a built-in model either)");
    writeFileSync(join(dir, "empty.mjs"), "export const nothing = 1;\n");
    const empty = gmeta(["train", ...common(), "--out", out, "--model", "./empty.mjs"], dir);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("expected a function createModel({ manifest, denseDim, embeddingDim, slots, options }) exported by");
    expect(empty.stderr).toContain("got exports [nothing]");
    const opts = gmeta(["train", ...common(), "--out", out, "--model", "gmeta-model-wide-deep", "--model-options", '{"hidden":[0]}'], dir);
    expect(opts.code).toBe(1);
    expect(opts.stderr).toContain("wide-deep: expected a list of positive integers for modelOptions.hidden, got [0]");
    expect(existsSync(out)).toBe(false);
  }, 120_000);
});
