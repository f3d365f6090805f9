// The bad-input corpus: each case is one way a user's input or a project file can be wrong,
// with the exit status and the message that must name the fault. corpus.test.ts runs them.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeVector, Table, tableToIPC, vectorFromArray } from "apache-arrow";
import { copy, editJson, flipByte, truncate } from "./sandbox.js";

/** What the cases build on, made once: raw samples, a prepared dataset and a finished run. */
export interface Fixtures {
  csv: string;
  lines: string[];
  arrow: string;
  tasks: string;
  /** A prepared dataset with 3 dense features instead of 2. */
  tasks3: string;
  run: string;
}

export interface Case {
  id: string;
  command: "prepare" | "train" | "eval" | "config";
  setup?: (f: Fixtures, sb: string) => void;
  argv: (f: Fixtures, sb: string) => string[];
  code: number;
  message: RegExp | ((f: Fixtures, sb: string) => RegExp);
  /** Set for a failure after work began: the sandbox may change, and this checks what it holds. */
  after?: (f: Fixtures, sb: string) => void;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const COLS = ["user", "click", "d0", "d1", "item", "category", "tags", "ts", "p_true"];

/** The raw CSV with data row 3's `column` set to `value`. */
function csvWith(f: Fixtures, sb: string, column: string, value: string): string {
  const lines = [...f.lines];
  const cells = lines[3]!.split(",");
  cells[COLS.indexOf(column)] = value;
  lines[3] = cells.join(",");
  const file = join(sb, `bad-${column}.csv`);
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}
const rawFile = (sb: string) => join(sb, "bad-" + "input.csv");
const prep = (input: string, sb: string, ...more: string[]) => ["prepare", "--input", input, "--out", join(sb, "out"), "--schema", "synthetic:2", "--query", "2", ...more];

/** The raw file with one value set, and prepare's message naming row 3 and the column. */
function badValue(id: string, column: string, value: string, what: string): Case {
  return {
    id, command: "prepare", code: 1,
    argv: (f, sb) => prep(csvWith(f, sb, column, value), sb),
    message: (_f, sb) => new RegExp(`${esc(join(sb, `bad-${column}.csv`))}, row 3, column "${column}": ${what}`),
  };
}

function arrowFile(sb: string, d0: Float64Array, ts: Float64Array): string {
  const n = d0.length;
  const file = join(sb, "bad.arrow");
  writeFileSync(file, tableToIPC(new Table({
    user: makeVector(BigInt64Array.from({ length: n }, (_, i) => BigInt(i >> 2))), click: makeVector(Float32Array.from({ length: n }, (_, i) => i % 2)),
    d0: makeVector(d0), d1: makeVector(new Float32Array(n)), item: makeVector(BigInt64Array.from({ length: n }, (_, i) => BigInt(i))),
    category: makeVector(new BigInt64Array(n)), tags: vectorFromArray(Array.from({ length: n }, () => [1n])), ts: makeVector(ts),
  } as never), "file"));
  return file;
}
const seq = (n: number) => Float64Array.from({ length: n }, (_, i) => i);

const run = (sb: string) => join(sb, "run");
const trainOn = (data: string, sb: string, ...more: string[]) => ["train", "--data", data, "--out", run(sb), "--tasks-per-batch", "4", "--max-steps", "2", "--no-baseline", ...more];
/** A copy of the fixture dataset to damage. */
const tasksCopy = (f: Fixtures, sb: string) => copy(f.tasks, join(sb, "tasks"));
const manifestOf = (sb: string) => join(sb, "tasks", "manifest.json");
const partOf = (sb: string) => join(sb, "tasks", readdirSync(join(sb, "tasks")).find((n) => n.startsWith("part"))!);
/** A copy of the finished run, for --resume and eval. */
const runCopy = (f: Fixtures, sb: string) => copy(f.run, run(sb));
const lastCk = (sb: string) => {
  const d = join(run(sb), "checkpoints");
  return join(d, readdirSync(d).filter((n) => /^step-\d+$/.test(n)).sort().at(-1)!);
};
const resume = (f: Fixtures, sb: string, ...more: string[]) => trainOn(f.tasks, sb, "--resume", "--embedding-dim", "4", "--max-steps", "3", "--checkpoint-every", "1", ...more);
const evalRun = (f: Fixtures, sb: string, ...more: string[]) => ["eval", "--run", run(sb), "--data", f.tasks, ...more];
const cfgFile = (sb: string, v: unknown, text?: string) => {
  const file = join(sb, "cfg.json");
  writeFileSync(file, text ?? JSON.stringify(v));
  return file;
};
const withCfg = (f: Fixtures, sb: string, file: string) => ["train", "--config", file, "--data", f.tasks, "--out", run(sb), "--no-baseline", "--max-steps", "2"];

export const CASES: Case[] = [
  // ---- prepare: files and folders
  { id: "prepare: missing input", command: "prepare", code: 1, argv: (_f, sb) => prep(join(sb, "nope.csv"), sb), message: (_f, sb) => new RegExp(`${esc(join(sb, "nope.csv"))}: cannot read the input: no such file or folder \\(ENOENT\\)`) },
  { id: "prepare: input is a folder", command: "prepare", code: 1, setup: (_f, sb) => mkdirSync(join(sb, "dir.csv")), argv: (_f, sb) => prep(join(sb, "dir.csv"), sb), message: /dir\.csv: cannot read the input: is a folder, expected a file \(EISDIR\)/ },
  { id: "prepare: empty CSV", command: "prepare", code: 1, setup: (_f, sb) => writeFileSync(rawFile(sb), ""), argv: (_f, sb) => prep(rawFile(sb), sb), message: /bad-input\.csv, header: empty file/ },
  { id: "prepare: header only", command: "prepare", code: 1, setup: (f, sb) => writeFileSync(rawFile(sb), f.lines[0] + "\n"), argv: (_f, sb) => prep(rawFile(sb), sb), message: /bad-input\.csv, row 1: no data rows after the header/ },
  { id: "prepare: missing column", command: "prepare", code: 1, setup: (f, sb) => writeFileSync(rawFile(sb), f.lines.map((l) => l.split(",").filter((_, i) => i !== 3).join(",")).join("\n")), argv: (_f, sb) => prep(rawFile(sb), sb), message: /bad-input\.csv, header, column "d1": missing column/ },
  { id: "prepare: short row", command: "prepare", code: 1, setup: (f, sb) => writeFileSync(rawFile(sb), [...f.lines.slice(0, 2), "1,0,0.5", ...f.lines.slice(2)].join("\n")), argv: (_f, sb) => prep(rawFile(sb), sb), message: /bad-input\.csv, row 2: expected 9 fields as in the header, got 3/ },
  badValue("prepare: dense 1e39", "d0", "1e39", "expected a number within float32's range \\(\\|x\\| <= 3\\.4028235e38\\), got 1e\\+39"),
  badValue("prepare: dense -1e39", "d1", "-1e39", "expected a number within float32's range"),
  badValue("prepare: dense NaN", "d0", "NaN", "expected a finite number, got NaN"),
  badValue("prepare: dense Infinity", "d0", "Infinity", "expected a finite number, got Infinity"),
  badValue("prepare: dense -Infinity", "d1", "-Infinity", "expected a finite number, got -Infinity"),
  badValue("prepare: dense text", "d0", "abc", 'expected a number, got "abc"'),
  badValue("prepare: dense empty", "d0", "", 'expected a number, got ""'),
  badValue("prepare: label NaN", "click", "NaN", "expected a label in \\[0, 1\\], got NaN"),
  badValue("prepare: label 2", "click", "2", "expected a label in \\[0, 1\\], got 2"),
  badValue("prepare: label Infinity", "click", "Infinity", "expected a label in \\[0, 1\\], got Infinity"),
  badValue("prepare: timestamp NaN", "ts", "NaN", "expected a finite number, got NaN"),
  badValue("prepare: timestamp Infinity", "ts", "Infinity", "expected a finite number, got Infinity"),
  badValue("prepare: timestamp 1e39", "ts", "1e39", "expected a number within float32's range"),
  badValue("prepare: negative id", "item", "-4", "expected an id ≥ 0, got -4"),
  badValue("prepare: fractional id", "category", "2.5", 'expected an integer id \\(set hashBuckets for the column in the schema to hash string ids\\), got "2\\.5"'),
  badValue("prepare: task key text", "user", "bob", 'expected a task key \\(integer\\), got "bob"'),
  badValue("prepare: list id text", "tags", "3|x", 'expected an integer id \\(set hashBuckets for the column in the schema to hash string ids\\), got "x"'),
  {
    id: "prepare: Arrow float64 dense beyond float32", command: "prepare", code: 1,
    argv: (_f, sb) => prep(arrowFile(sb, Float64Array.from([0.5, 1, 2e39, 0.25, 0, 0, 0, 0]), seq(8)), sb),
    message: /bad\.arrow, row 3, column "d0": expected a number within float32's range/,
  },
  {
    id: "prepare: Arrow NaN timestamp", command: "prepare", code: 1,
    argv: (_f, sb) => prep(arrowFile(sb, new Float64Array(8), Float64Array.from([0, 1, 2, NaN, 4, 5, 6, 7])), sb),
    message: /bad\.arrow, row 4, column "ts": expected a finite number, got NaN/,
  },
  { id: "prepare: truncated Arrow", command: "prepare", code: 1, setup: (f, sb) => truncate(copy(f.arrow, join(sb, "cut.arrow")), 0.5), argv: (_f, sb) => prep(join(sb, "cut.arrow"), sb), message: /cut\.arrow, row 1: truncated or damaged Arrow IPC file \(its metadata cannot be read\)/ },
  { id: "prepare: Parquet that is not Parquet", command: "prepare", code: 1, setup: (f, sb) => copy(f.csv, join(sb, "x.parquet")), argv: (_f, sb) => prep(join(sb, "x.parquet"), sb), message: /x\.parquet, row 1: truncated or damaged Parquet file/ },
  { id: "prepare: --on-bad-row bogus", command: "prepare", code: 2, argv: (f, sb) => prep(f.csv, sb, "--on-bad-row", "ignore"), message: /gmeta prepare: expected "fail" \| "skip" for --on-bad-row, got "ignore"/ },
  { id: "prepare: --query 0", command: "prepare", code: 2, argv: (f, sb) => ["prepare", "--input", f.csv, "--out", join(sb, "out"), "--query", "0"], message: /expected a count >= 1 or a ratio in \(0, 1\) for --query, got "0"/ },
  { id: "prepare: --holdout 1.5", command: "prepare", code: 2, argv: (f, sb) => prep(f.csv, sb, "--holdout", "1.5"), message: /expected a fraction in \(0, 1\) for --holdout, got "1\.5"/ },
  { id: "prepare: --holdout with two inputs", command: "prepare", code: 2, argv: (f, sb) => [...prep(f.csv, sb, "--holdout", "0.2"), "--input", f.csv], message: /expected one --input with --holdout, got 2/ },
  { id: "prepare: --schema file missing", command: "prepare", code: 2, argv: (f, sb) => ["prepare", "--input", f.csv, "--out", join(sb, "out"), "--schema", join(sb, "s.json")], message: /expected synthetic:D, movielens or a schema JSON file for --schema, got ".*s\.json" \(no such file\)/ },
  { id: "prepare: --schema truncated JSON", command: "prepare", code: 2, setup: (_f, sb) => writeFileSync(join(sb, "s.json"), '{"taskKey": "user", "label"'), argv: (f, sb) => ["prepare", "--input", f.csv, "--out", join(sb, "out"), "--schema", join(sb, "s.json")], message: /--schema .*s\.json: not valid JSON, damaged or truncated/ },
  { id: "prepare: --schema field of the wrong type", command: "prepare", code: 2, setup: (_f, sb) => writeFileSync(join(sb, "s.json"), JSON.stringify({ taskKey: "user", label: "click", dense: "d0", sparse: [] })), argv: (f, sb) => ["prepare", "--input", f.csv, "--out", join(sb, "out"), "--schema", join(sb, "s.json")], message: /s\.json, field "dense": expected array, got "d0"/ },
  { id: "prepare: output exists", command: "prepare", code: 2, setup: (_f, sb) => mkdirSync(join(sb, "out")), argv: (f, sb) => prep(f.csv, sb), message: /out exists; pass --overwrite to replace it/ },
  { id: "prepare: output under a file", command: "prepare", code: 1, setup: (_f, sb) => writeFileSync(join(sb, "file"), "x"), argv: (f, sb) => ["prepare", "--input", f.csv, "--out", join(sb, "file", "out"), "--schema", "synthetic:2"], message: /file: cannot create .*: a part of the path is a file, expected a folder \(ENOTDIR\)/ },
  { id: "prepare: no task large enough", command: "prepare", code: 1, argv: (f, sb) => prep(f.csv, sb, "--min-support", "500"), message: /prepare: no task has 500 support and 1 query samples/ },
  { id: "prepare: unknown option", command: "prepare", code: 2, argv: (f, sb) => ["prepare", "--inptu", f.csv, "--out", join(sb, "out")], message: /gmeta prepare: Unknown option '--inptu'/ },
  {
    id: "prepare: --on-bad-row skip drops and counts", command: "prepare", code: 0,
    argv: (f, sb) => prep(csvWith(f, sb, "d0", "1e39"), sb, "--on-bad-row", "skip"), message: /^$/,
    after: (_f, sb) => {
      const m = JSON.parse(readFileSync(join(sb, "out", "manifest.json"), "utf8")) as { counts: { skippedRows: number } };
      if (m.counts.skippedRows !== 1) throw new Error(`expected skippedRows 1, got ${m.counts.skippedRows}`);
    },
  },

  // ---- train: the dataset
  { id: "train: dataset folder missing", command: "train", code: 1, argv: (_f, sb) => trainOn(join(sb, "nope"), sb), message: /nope\/manifest\.json: cannot read the manifest: no such file or folder \(ENOENT\); is .*nope a folder written by prepare\?/ },
  { id: "train: dataset is a file", command: "train", code: 1, setup: (_f, sb) => writeFileSync(join(sb, "f"), "x"), argv: (_f, sb) => trainOn(join(sb, "f"), sb), message: /f\/manifest\.json: cannot read the manifest: a part of the path is a file/ },
  { id: "train: manifest null", command: "train", code: 1, setup: (f, sb) => { tasksCopy(f, sb); writeFileSync(manifestOf(sb), "null"); }, argv: (_f, sb) => trainOn(join(sb, "tasks"), sb), message: /manifest\.json, field "\(the whole file\)": expected object, got null/ },
  { id: "train: manifest truncated", command: "train", code: 1, setup: (f, sb) => { tasksCopy(f, sb); truncate(manifestOf(sb), 0.6); }, argv: (_f, sb) => trainOn(join(sb, "tasks"), sb), message: /manifest\.json: not valid JSON, damaged or truncated/ },
  { id: "train: part entry without file", command: "train", code: 1, setup: (f, sb) => { tasksCopy(f, sb); editJson(manifestOf(sb), (m) => void delete m.parts[0].file); }, argv: (_f, sb) => trainOn(join(sb, "tasks"), sb), message: /manifest\.json, field "parts\[0\]\.file": expected string, got nothing/ },
  { id: "train: denseDim disagrees with the parts", command: "train", code: 1, setup: (f, sb) => { tasksCopy(f, sb); editJson(manifestOf(sb), (m) => void (m.denseDim = 5)); }, argv: (_f, sb) => trainOn(join(sb, "tasks"), sb), message: /manifest\.json, field "denseDim": expected 2 \(the schema's dense columns\), got 5/ },
  { id: "train: dense schema and denseDim both changed", command: "train", code: 1, setup: (f, sb) => { tasksCopy(f, sb); editJson(manifestOf(sb), (m) => { m.denseDim = 3; m.schema.dense.push("d2"); }); }, argv: (_f, sb) => trainOn(join(sb, "tasks"), sb), message: /part-\d+\.arrow: does not match the manifest \(expected 3 dense values per row as the manifest says, got 2\)/ },
  { id: "train: counts disagree with the parts", command: "train", code: 1, setup: (f, sb) => { tasksCopy(f, sb); editJson(manifestOf(sb), (m) => void (m.counts.tasks += 1)); }, argv: (_f, sb) => trainOn(join(sb, "tasks"), sb), message: /manifest\.json, field "counts\.tasks": expected \d+ \(the sum of the parts' tasks\)/ },
  { id: "train: manifest from a newer version", command: "train", code: 1, setup: (f, sb) => { tasksCopy(f, sb); editJson(manifestOf(sb), (m) => void (m.formatVersion = 99)); }, argv: (_f, sb) => trainOn(join(sb, "tasks"), sb), message: /field "formatVersion": format version 99 is newer than this reader supports/ },
  { id: "train: part outside the folder", command: "train", code: 1, setup: (f, sb) => { tasksCopy(f, sb); editJson(manifestOf(sb), (m) => void (m.parts[0].file = "../../etc/passwd")); }, argv: (_f, sb) => trainOn(join(sb, "tasks"), sb), message: /field "parts\[0\]\.file": expected a file inside the dataset folder/ },
  { id: "train: part file missing", command: "train", code: 1, setup: (f, sb) => { tasksCopy(f, sb); rmSync(partOf(sb)); }, argv: (_f, sb) => trainOn(join(sb, "tasks"), sb), message: /part-\d+\.arrow: listed in .*manifest\.json but not readable: no such file or folder \(ENOENT\)/ },
  { id: "train: part file truncated", command: "train", code: 1, setup: (f, sb) => { tasksCopy(f, sb); truncate(partOf(sb), 0.5); }, argv: (_f, sb) => trainOn(join(sb, "tasks"), sb), message: /part-\d+\.arrow: size \d+ differs from the manifest's \d+ bytes/ },
  { id: "train: part file altered", command: "train", code: 1, setup: (f, sb) => { tasksCopy(f, sb); flipByte(partOf(sb)); }, argv: (_f, sb) => trainOn(join(sb, "tasks"), sb), message: /part-\d+\.arrow: sha256 mismatch/ },
  { id: "train: huge vocabulary", command: "train", code: 1, setup: (f, sb) => { tasksCopy(f, sb); editJson(manifestOf(sb), (m) => void (m.slots[0].vocab = 2_000_000_000)); }, argv: (_f, sb) => trainOn(join(sb, "tasks"), sb), message: /planSharding: table "item" \([\d,]+ bytes, table-wise\) does not fit: budget [\d,]+ bytes per rank/ },
  { id: "train: huge embedding dim", command: "train", code: 2, argv: (f, sb) => trainOn(f.tasks, sb, "--embedding-dim", "100000000"), message: /gmeta train: the dlrm model's dense parameters \([\d,]+ values, [\d,]+ bytes with gradients and optimizer state\) do not fit the budget of [\d,]+ bytes per rank; lower --embedding-dim/ },
  { id: "train: dense layers too large", command: "config", code: 2, argv: (f, sb) => withCfg(f, sb, cfgFile(sb, { top: [200000, 200000] })), message: /gmeta train: the dlrm model's dense parameters \([\d,]+ values, [\d,]+ bytes with gradients and optimizer state\) do not fit the budget of [\d,]+ bytes per rank/ },
  { id: "train: incompatible --eval", command: "train", code: 1, argv: (f, sb) => trainOn(f.tasks, sb, "--eval", f.tasks3), message: /manifest\.json: expected 2 dense, slots .* \(the training data's\) for its features, got 3 dense/ },
  // ---- train: settings
  { id: "train: tasks per batch beyond the data", command: "train", code: 2, argv: (f, sb) => trainOn(f.tasks, sb, "--tasks-per-batch", "4000"), message: /gmeta train: expected at most \d+ \(the tasks in .*tasks\) for tasksPerBatch, got 4000/ },
  { id: "train: --prefetch 0", command: "train", code: 2, argv: (f, sb) => trainOn(f.tasks, sb, "--prefetch", "0"), message: /gmeta train: flags: expected an integer >= 1 for prefetch, got 0/ },
  { id: "train: --inner-lr text", command: "train", code: 2, argv: (f, sb) => trainOn(f.tasks, sb, "--inner-lr", "fast"), message: /gmeta train: expected a number for --inner-lr, got "fast"/ },
  { id: "train: --outer-lr negative", command: "train", code: 2, argv: (f, sb) => trainOn(f.tasks, sb, "--outer-lr=-1"), message: /expected a finite number >= 0 for outerLr, got -1/ },
  { id: "train: --model-options not an object", command: "train", code: 2, argv: (f, sb) => trainOn(f.tasks, sb, "--model-options", "[1]"), message: /gmeta train: flags: expected a JSON object for modelOptions, got \[1\]/ },
  { id: "train: --embedding-memory-mib fractional", command: "train", code: 2, argv: (f, sb) => trainOn(f.tasks, sb, "--embedding-memory-mib", "1.5"), message: /gmeta train: flags: expected an integer >= 0 for embeddingMemoryMiB, got 1\.5/ },
  { id: "train: embedding tables over --embedding-memory-mib", command: "train", code: 1, argv: (f, sb) => trainOn(f.tasks, sb, "--embedding-memory-mib", "1", "--embedding-dim", "4096"), message: /planSharding: table "[a-z]+" \([\d,]+ bytes, table-wise\) does not fit: budget 1,048,576 bytes per rank.*raise embeddingMemoryMiB/ },
  { id: "train: --model unknown", command: "train", code: 2, argv: (f, sb) => trainOn(f.tasks, sb, "--model", "gpt"), message: /gmeta train: --model gpt: no such package \(not a built-in model either\); use one of "dlrm", "melu", a path to a module/ },
  { id: "train: tasks not a multiple of nproc", command: "train", code: 2, argv: (f, sb) => trainOn(f.tasks, sb, "--nproc", "3"), message: /expected a multiple of nproc \(3\) for tasksPerBatch, got 4/ },
  { id: "train: --resume and --overwrite", command: "train", code: 2, argv: (f, sb) => trainOn(f.tasks, sb, "--resume", "--overwrite"), message: /expected one of --resume and --overwrite, got both/ },
  { id: "train: output under a file", command: "train", code: 1, setup: (_f, sb) => writeFileSync(join(sb, "file"), "x"), argv: (f, sb) => ["train", "--data", f.tasks, "--out", join(sb, "file", "run"), "--tasks-per-batch", "4", "--no-baseline"], message: /file: cannot create .*config\.json: a part of the path is a file, expected a folder \(ENOTDIR\)/ },
  { id: "train: run exists", command: "train", code: 2, setup: runCopy, argv: (f, sb) => trainOn(f.tasks, sb), message: /already holds a run; pass --resume to continue it or --overwrite to replace it/ },
  {
    id: "train: a loss that overflows stops training", command: "train", code: 1,
    argv: (f, sb) => trainOn(f.tasks, sb, "--inner-lr", "1e30", "--outer-lr", "1e30", "--max-steps", "6", "--checkpoint-every", "1"),
    message: /training stopped at step \d+: the (query loss is (NaN|Infinity)|gradient of [\w.]+ holds (NaN|-?Infinity) at element \d+)/,
    after: (_f, sb) => {
      // Checkpoints written before the fault hold finite parameters only; nothing half-written is left.
      const d = join(run(sb), "checkpoints");
      if (!existsSync(d)) return;
      for (const n of readdirSync(d, { recursive: true }) as string[]) {
        if (/\.(partial|old)$/.test(n)) throw new Error(`left ${n}`);
        if (n.endsWith("trainer.json")) {
          const t = JSON.parse(readFileSync(join(d, n), "utf8")) as { params: (number | null)[][] };
          if (t.params.flat().some((v) => v === null || !Number.isFinite(v))) throw new Error(`${n} holds a non-finite parameter`);
        }
      }
    },
  },
  // ---- train --resume
  { id: "train: --resume of no run", command: "train", code: 2, argv: (f, sb) => resume(f, sb), message: /gmeta train --resume: no complete checkpoint under .*run\/checkpoints/ },
  { id: "train: --resume with truncated trainer.json", command: "train", code: 1, setup: (f, sb) => { runCopy(f, sb); truncate(join(lastCk(sb), "trainer.json"), 0.5); }, argv: resume, message: /trainer\.json: not valid JSON, damaged or truncated/ },
  { id: "train: --resume with a NaN parameter", command: "train", code: 1, setup: (f, sb) => { runCopy(f, sb); editJson(join(lastCk(sb), "trainer.json"), (t) => void (t.params[0][3] = null)); }, argv: resume, message: /trainer\.json, field "params\[0\]\[3\]": expected a finite number/ },
  { id: "train: --resume with missing loader.json", command: "train", code: 1, setup: (f, sb) => { runCopy(f, sb); rmSync(join(lastCk(sb), "loader.json")); }, argv: resume, message: /loader\.json: cannot read: no such file or folder \(ENOENT\)/ },
  { id: "train: --resume with a bad loader position", command: "train", code: 1, setup: (f, sb) => { runCopy(f, sb); editJson(join(lastCk(sb), "loader.json"), (l) => void (l.batch = -3)); }, argv: resume, message: /loader\.json, field "batch": Too small: expected number to be >=0, got -3/ },
  { id: "train: --resume with a damaged shard", command: "train", code: 1, setup: (f, sb) => { runCopy(f, sb); flipByte(join(lastCk(sb), "embeddings", readdirSync(join(lastCk(sb), "embeddings")).find((n) => n.endsWith(".bin"))!)); }, argv: resume, message: /gmeta train --resume: .*step-\d+ cannot be resumed: .*damaged/ },
  { id: "train: --resume with a damaged checkpoint config", command: "train", code: 1, setup: (f, sb) => { runCopy(f, sb); editJson(join(lastCk(sb), "config.json"), (c) => void (c.model = 7)); }, argv: resume, message: /config\.json, field "model": expected "dlrm", "melu", an npm package or a path to a model module, got 7/ },
  { id: "train: --resume changing tasks per batch", command: "train", code: 2, setup: runCopy, argv: (f, sb) => [...resume(f, sb), "--tasks-per-batch", "2"], message: /gmeta train --resume: expected tasksPerBatch 4 \(as in .*config\.json\), got 2/ },
  // ---- config files
  { id: "config: file missing", command: "config", code: 2, argv: (f, sb) => withCfg(f, sb, join(sb, "none.json")), message: /--config .*none\.json: cannot read the config: no such file or folder \(ENOENT\)/ },
  { id: "config: file is a folder", command: "config", code: 2, setup: (_f, sb) => mkdirSync(join(sb, "d.json")), argv: (f, sb) => withCfg(f, sb, join(sb, "d.json")), message: /--config .*d\.json: cannot read the config: is a folder, expected a file \(EISDIR\)/ },
  { id: "config: truncated JSON", command: "config", code: 2, argv: (f, sb) => withCfg(f, sb, cfgFile(sb, null, '{"epochs": 2, "model": "ml')), message: /cfg\.json: not valid JSON, damaged or truncated/ },
  { id: "config: not an object", command: "config", code: 2, argv: (f, sb) => withCfg(f, sb, cfgFile(sb, [1, 2])), message: /cfg\.json: expected a JSON object, got \[1,2\]/ },
  { id: "config: unknown key", command: "config", code: 2, argv: (f, sb) => withCfg(f, sb, cfgFile(sb, { algoritm: "maml" })), message: /cfg\.json and flags: unknown key "algoritm" \(known: data, eval, out, model/ },
  { id: "config: wrong type", command: "config", code: 2, argv: (f, sb) => withCfg(f, sb, cfgFile(sb, { innerLr: "fast" })), message: /cfg\.json and flags: expected a finite number >= 0 for innerLr, got "fast"/ },
  { id: "config: widths not positive", command: "config", code: 2, argv: (f, sb) => withCfg(f, sb, cfgFile(sb, { bottom: [32, 0] })), message: /cfg\.json and flags: expected a list of positive integers for bottom\.1, got 0/ },
  { id: "config: nccl on cpu", command: "config", code: 2, argv: (f, sb) => withCfg(f, sb, cfgFile(sb, { backend: "nccl" })), message: /expected "gloo" or "mpi" with device "cpu" .* for backend, got "nccl"/ },
  { id: "config: bad device", command: "config", code: 2, argv: (f, sb) => withCfg(f, sb, cfgFile(sb, { device: "tpu" })), message: /expected "cpu", "cuda" or "cuda:N" for device, got "tpu"/ },
  { id: "config: prefetch 0", command: "config", code: 2, argv: (f, sb) => withCfg(f, sb, cfgFile(sb, { prefetch: 0 })), message: /expected an integer >= 1 for prefetch, got 0/ },
  { id: "config: fractional epochs", command: "config", code: 2, argv: (f, sb) => withCfg(f, sb, cfgFile(sb, { epochs: 1.5 })), message: /expected an integer >= 1 for epochs, got 1\.5/ },

  // ---- eval
  { id: "eval: not a run folder", command: "eval", code: 2, argv: (f, sb) => evalRun(f, sb), message: /gmeta eval: .*run: not a run folder \(no config\.json\)/ },
  { id: "eval: truncated run config", command: "eval", code: 1, setup: (f, sb) => { runCopy(f, sb); truncate(join(run(sb), "config.json"), 0.5); }, argv: evalRun, message: /run\/config\.json: not valid JSON, damaged or truncated/ },
  { id: "eval: run config with an unknown key", command: "eval", code: 1, setup: (f, sb) => { runCopy(f, sb); editJson(join(run(sb), "config.json"), (c) => void (c.lr = 1)); }, argv: evalRun, message: /run\/config\.json, field "\(the whole file\)": Unrecognized key: "lr"/ },
  { id: "eval: no checkpoint", command: "eval", code: 2, setup: (f, sb) => { runCopy(f, sb); rmSync(join(run(sb), "checkpoints"), { recursive: true }); }, argv: evalRun, message: /gmeta eval: no complete checkpoint under .*checkpoints/ },
  { id: "eval: damaged trainer.json", command: "eval", code: 1, setup: (f, sb) => { runCopy(f, sb); editJson(join(lastCk(sb), "trainer.json"), (t) => void (t.step = "two")); }, argv: evalRun, message: /trainer\.json, field "step": expected number, got "two"/ },
  { id: "eval: damaged embedding manifest", command: "eval", code: 1, setup: (f, sb) => { runCopy(f, sb); writeFileSync(join(lastCk(sb), "embeddings", "manifest.json"), "{}"); }, argv: evalRun, message: /embeddings\/manifest\.json, field "format": expected "gmeta-embedding-checkpoint", got nothing \(and \d+ more problems\)/ },
  { id: "eval: shard file outside the checkpoint", command: "eval", code: 1, setup: (f, sb) => { runCopy(f, sb); editJson(join(lastCk(sb), "embeddings", "manifest.json"), (m) => void (m.shards[0].file = "../../../trainer.json")); }, argv: evalRun, message: /embeddings\/manifest\.json, field "shards\[0\]\.file": expected a file name inside the checkpoint folder, got "\.\.\/\.\.\/\.\.\/trainer\.json"/ },
  { id: "train: --resume with an embedding manifest of another format", command: "train", code: 1, setup: (f, sb) => { runCopy(f, sb); editJson(join(lastCk(sb), "embeddings", "manifest.json"), (m) => void (m.version = 2)); }, argv: resume, message: /embeddings\/manifest\.json, field "version": expected 1, got 2/ },
  { id: "eval: damaged shard", command: "eval", code: 1, setup: (f, sb) => { runCopy(f, sb); flipByte(join(lastCk(sb), "embeddings", readdirSync(join(lastCk(sb), "embeddings")).find((n) => n.endsWith(".bin"))!)); }, argv: evalRun, message: /damaged: sha256/ },
  { id: "eval: data missing", command: "eval", code: 1, setup: runCopy, argv: (_f, sb) => ["eval", "--run", run(sb), "--data", join(sb, "nope")], message: /nope\/manifest\.json: cannot read the manifest/ },
  { id: "eval: incompatible data", command: "eval", code: 1, setup: runCopy, argv: (f, sb) => ["eval", "--run", run(sb), "--data", f.tasks3], message: /expected 2 dense, slots .* \(the training data's\) for its features, got 3 dense/ },
  { id: "eval: --tasks-per-batch 0", command: "eval", code: 2, setup: runCopy, argv: (f, sb) => evalRun(f, sb, "--tasks-per-batch", "0"), message: /gmeta eval: expected an integer >= 1 for --tasks-per-batch, got "0"/ },
  { id: "eval: more ranks than tasks", command: "eval", code: 2, setup: runCopy, argv: (f, sb) => evalRun(f, sb, "--nproc", "5000"), message: /holds \d+ task\(s\), fewer than the 5000 ranks asked for/ },
  { id: "eval: --run missing", command: "eval", code: 2, argv: (f) => ["eval", "--data", f.tasks], message: /gmeta eval: --run is required/ },
];
