// Runs the bad-input corpus (corpus/cases.ts) in this process, one sandbox per case: each case
// must exit with its status, print one message naming the fault, leave its sandbox exactly as
// it was (no partial output) and never crash (no internal error text, no stack).
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../src/index.js";
import { runPrepare } from "../src/commands/prepare.js";
import { runSynth } from "../src/commands/synth.js";
import { runTrainHere } from "../src/commands/train.js";
import { validateConfig, DEFAULTS } from "../src/config.js";
import { syntheticSchema } from "@gmeta/io";
import { CASES, type Fixtures } from "./corpus/cases.js";
import { LEFTOVER, snapshot } from "./corpus/sandbox.js";
import { tmp } from "./helpers.js";

const dir = tmp("corpus");
const fx = {} as Fixtures;
let fixtureSnapshot: Record<string, string> = {};
const CRASH = /TypeError|ReferenceError|RangeError|Cannot read properties|Invalid typed array|is not a function|\n\s+at /;

beforeAll(async () => {
  const f = join(dir, "fixtures");
  mkdirSync(f);
  const csv = await runSynth({ out: join(f, "raw.csv"), users: 40, items: 30, categories: 5, samplesPerUser: [6, 12], dense: 2, seed: 5 });
  const arrow = await runSynth({ out: join(f, "raw.arrow"), users: 20, items: 30, categories: 5, samplesPerUser: [6, 12], dense: 2, seed: 6 });
  const common = { schemaName: "synthetic", query: 2, minSupport: 2, minQuery: 1, memoryMiB: 64, seed: 1, overwrite: true };
  const tasks = await runPrepare({ ...common, input: [csv.file], out: join(f, "tasks"), schema: syntheticSchema(2) });
  const raw3 = await runSynth({ out: join(f, "raw3.arrow"), users: 20, items: 30, categories: 5, samplesPerUser: [6, 12], dense: 3, seed: 7 });
  const tasks3 = await runPrepare({ ...common, input: [raw3.file], out: join(f, "tasks3"), schema: syntheticSchema(3) });
  const cfg = validateConfig({ ...DEFAULTS, data: tasks.train, out: join(f, "run"), tasksPerBatch: 4, maxSteps: 2, checkpointEvery: 1, baseline: false, embeddingDim: 4 }, "corpus");
  await runTrainHere(cfg, false);
  Object.assign(fx, { csv: csv.file, lines: readFileSync(csv.file, "utf8").trim().split("\n"), arrow: arrow.file, tasks: tasks.train, tasks3: tasks3.train, run: cfg.out });
  fixtureSnapshot = snapshot(f);
}, 120_000);

afterAll(() => {
  // No case touched the shared fixtures.
  expect(snapshot(join(dir, "fixtures"))).toEqual(fixtureSnapshot);
});

describe("bad-input corpus", () => {
  it("has at least 60 cases across prepare, train, eval and config files", () => {
    const by: Record<string, number> = {};
    for (const c of CASES) by[c.command] = (by[c.command] ?? 0) + 1;
    console.info(`corpus: ${CASES.length} cases (${Object.entries(by).map(([k, n]) => `${k} ${n}`).join(", ")})`);
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CASES.map((c) => c.id)).size).toBe(CASES.length);
  });

  it.each(CASES.map((c) => [c.id, c] as const))("%s", async (_id, c) => {
    const sb = mkdtempSync(join(dir, "case-"));
    c.setup?.(fx, sb);
    const argv = c.argv(fx, sb);
    const before = snapshot(sb);
    let err = "";
    const code = await runCli(argv, { write: (s: string) => (err += s) });
    // CORPUS_DUMP=FILE lists every case with its status and message (to review the wording).
    if (process.env.CORPUS_DUMP) appendFileSync(process.env.CORPUS_DUMP, `${c.id}\t${code}\t${err.trim()}\n`);
    const message = typeof c.message === "function" ? c.message(fx, sb) : c.message;
    expect(code, err).toBe(c.code);
    expect(err.trim(), `message of ${c.id}`).toMatch(message);
    expect(err).not.toMatch(CRASH);
    if (c.code !== 0) expect(err.trim().split("\n").length, err).toBe(1);
    if (c.after) c.after(fx, sb);
    else expect(snapshot(sb), "the sandbox changed").toEqual(before);
    expect(Object.keys(snapshot(sb)).filter((p) => LEFTOVER.test(p))).toEqual([]);
  }, 60_000);
});
