import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { readScores } from "@gmeta/io";
import { auc, gauc, logloss } from "@gmeta/maml";
import { gmeta, tmp, syntheticTasks } from "./helpers.js";
import { writePredictInput } from "./predictInputFile.js";

const dir = tmp("predict");
const run = join(dir, "run");
let test = "";

beforeAll(async () => {
  const { prep } = await syntheticTasks(dir, { users: 240, items: 80, categories: 6, samplesPerUser: [6, 18], dense: 2, seed: 6 }, { minSupport: 2, minQuery: 2, holdout: 0.25, seed: 6 });
  test = prep.test!;
  const r = gmeta(["train", "--data", prep.train, "--out", run, "--model", "melu", "--tasks-per-batch", "8", "--epochs", "1", "--max-steps", "8", "--no-baseline", "--seed", "2"]);
  expect(r.code, r.stderr).toBe(0);
}, 300_000);

function metrics(scores: Float32Array, labels: Float32Array, sizes: number[]) {
  const offsets = new Int32Array(sizes.length + 1);
  sizes.forEach((s, i) => (offsets[i + 1] = offsets[i]! + s));
  return { auc: auc(labels, scores), gauc: gauc(labels, scores, offsets), logloss: logloss(labels, scores) };
}

describe("gmeta predict", () => {
  it("scores equal eval's for the same tasks, adapted and not, on 1 and 2 ranks, in every format", async () => {
    const input = join(dir, "new-users.csv");
    const truth = await writePredictInput(test, input);
    const ev = gmeta(["eval", "--run", run, "--data", test]);
    expect(ev.code, ev.stderr).toBe(0);
    const want = (JSON.parse(readFileSync(join(run, "eval.json"), "utf8")) as { eval: { adapted: Record<string, number>; unadapted: Record<string, number> } }).eval;
    const cases: [string, string[], "adapted" | "unadapted"][] = [
      ["scores.csv", [], "adapted"],
      ["scores.parquet", ["--nproc", "2"], "adapted"],
      ["plain.arrow", ["--no-adapt", "--tasks-per-batch", "3"], "unadapted"],
    ];
    for (const [name, extra, kind] of cases) {
      const out = join(dir, name);
      const p = gmeta(["predict", "--run", run, "--input", input, "--out", out, ...extra]);
      expect(p.code, p.stderr).toBe(0);
      const s = await readScores(out);
      expect(s.taskColumn).toBe("user");
      expect(s.score.length).toBe(truth.labels.length);
      // Rows are the candidates' rows in the input, in order.
      expect(Array.from(s.row).every((r, i) => i === 0 || r > s.row[i - 1]!)).toBe(true);
      const got = metrics(s.score, truth.labels, truth.taskSizes);
      console.info(`predict ${name} ${extra.join(" ")}: AUC ${got.auc.toFixed(6)} (eval ${want[kind].auc!.toFixed(6)}), logloss ${got.logloss.toFixed(6)} (eval ${want[kind].logloss!.toFixed(6)})`);
      for (const k of ["auc", "gauc", "logloss"] as const) expect(Math.abs(got[k] - want[kind][k]!)).toBeLessThan(1e-5);
    }
    // Adapting changes the scores: the check above would pass for a predict that ignores --no-adapt otherwise.
    const a = await readScores(join(dir, "scores.csv"));
    const b = await readScores(join(dir, "plain.arrow"));
    expect(Math.max(...Array.from(a.score, (v, i) => Math.abs(v - b.score[i]!)))).toBeGreaterThan(1e-4);
  }, 300_000);

  it("bad input is named by file, row and column, and no output is written", () => {
    const out = join(dir, "bad-out.csv");
    const header = "user,click,d0,d1,item,category,tags,ts";
    const write = (name: string, rows: string[]) => {
      const f = join(dir, name);
      writeFileSync(f, `${header}\n${rows.join("\n")}\n`);
      return f;
    };
    const big = write("big-id.csv", ["1,1,0,0,3,1,2,0", "1,,0,0,99999,1,2,0"]);
    let r = gmeta(["predict", "--run", run, "--input", big, "--out", out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${big}, row 2, column "item": expected an id below`);
    const label = write("bad-label.csv", ["1,2,0,0,3,1,2,0", "1,,0,0,4,1,2,0"]);
    r = gmeta(["predict", "--run", run, "--input", label, "--out", out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${label}, row 1, column "click": expected a label in [0, 1], got 2`);
    const none = write("no-candidates.csv", ["1,1,0,0,3,1,2,0"]);
    r = gmeta(["predict", "--run", run, "--input", none, "--out", out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${none}, column "click": no row without a label: nothing to score`);
    r = gmeta(["predict", "--run", run, "--input", none, "--out", join(dir, "scores.txt")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("cannot tell the format from the name");
    r = gmeta(["predict", "--run", join(dir, "nope"), "--input", none, "--out", out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("not a run folder");
    expect(existsSync(out)).toBe(false);
  }, 120_000);
});
