import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import { checkInputFile, checkWritableTarget, convertMovieLens, movieLensSchema, prepare, rawSchemaSchema, readJsonFile, splitTasks, syntheticSchema, validateSchema } from "@gmeta/io";
import type { OnBadRow, RawSchema } from "@gmeta/io";
import { parse, reader, UsageError } from "../args.js";
import { status } from "../progress.js";
import { onInterrupt } from "../run/interrupt.js";

export const PREPARE_HELP = `gmeta prepare: group raw samples by task into a Meta-IO dataset folder

Usage: gmeta prepare --input FILE [--input FILE ...] --out DIR [options]

  --input FILE        raw samples (.csv, .arrow, .parquet); repeatable; or a MovieLens-1M
                      folder (ratings.dat, users.dat, movies.dat) with --schema movielens
  --out DIR           output folder (appears only when complete)
  --schema S          synthetic:D (the schema of gmeta synth with D dense features),
                      movielens, or a JSON file of a raw schema (default synthetic:4)
  --query Q           query samples per task: a count >= 1 or a ratio in (0, 1) (default 0.3)
  --split BY          time | shuffle (default: time when the schema has a timestamp)
  --min-support N     drop tasks with fewer support samples (default 2)
  --min-query N       drop tasks with fewer query samples (default 1)
  --shards N          number of part files to aim for
  --memory-mib M      memory budget before sorted runs spill to disk (default 256)
  --holdout F         also hold out a fraction F of tasks: writes DIR/train and DIR/test
  --seed S            seed of the shuffle split and the holdout (default 0)
  --on-bad-row P      fail | skip: a row with NaN, an infinity or a value beyond float32's range
                      in the label, dense or timestamp columns fails the run naming file, row and
                      column (default fail), or is dropped and counted in the manifest (skip)
  --overwrite         replace an existing output folder`;

/** Resolves --schema into a raw schema. */
export function resolveSchema(spec: string): RawSchema {
  if (spec === "movielens") return movieLensSchema;
  const m = /^synthetic(?::(\d+))?$/.exec(spec);
  if (m) return syntheticSchema(Number(m[1] ?? 4));
  if (!existsSync(spec)) throw new UsageError(`gmeta prepare: expected synthetic:D, movielens or a schema JSON file for --schema, got ${JSON.stringify(spec)} (no such file)`);
  try {
    return validateSchema(readJsonFile(spec, rawSchemaSchema) as RawSchema);
  } catch (e) {
    const m = (e as Error).message;
    throw new UsageError(`gmeta prepare: --schema ${m.startsWith(spec) ? m : `${spec}: ${m}`}`);
  }
}

export interface PrepareArgs {
  input: string[];
  out: string;
  schema: RawSchema;
  schemaName: string;
  query: number;
  by?: "time" | "shuffle";
  minSupport: number;
  minQuery: number;
  shards?: number;
  memoryMiB: number;
  holdout?: number;
  seed: number;
  overwrite: boolean;
  onBadRow?: OnBadRow;
}

export function prepareArgs(argv: string[]): PrepareArgs | null {
  const { values } = parse("prepare", argv, {
    input: { type: "string", multiple: true }, out: { type: "string" }, schema: { type: "string" }, query: { type: "string" },
    split: { type: "string" }, "min-support": { type: "string" }, "min-query": { type: "string" }, shards: { type: "string" },
    "memory-mib": { type: "string" }, holdout: { type: "string" }, seed: { type: "string" }, overwrite: { type: "boolean" },
    "on-bad-row": { type: "string" },
  });
  if (values.help) return null;
  const r = reader("prepare", values);
  const input = r.list("input");
  if (input.length === 0) throw new UsageError("gmeta prepare: --input is required (see gmeta prepare --help)");
  const schemaName = r.str("schema", "synthetic:4")!;
  const query = r.num("query", 0.3, (q) => q > 0 && (q < 1 || Number.isInteger(q)), "a count >= 1 or a ratio in (0, 1)");
  const holdout = values.holdout === undefined ? undefined : r.num("holdout", 0.2, (h) => h > 0 && h < 1, "a fraction in (0, 1)");
  const shards = values.shards === undefined ? undefined : r.int("shards", 1, 1);
  const by = values.split === undefined ? undefined : r.choice("split", ["time", "shuffle"] as const, "time");
  return {
    input, out: r.req("out"), schema: resolveSchema(schemaName), schemaName, query,
    ...(by ? { by } : {}), minSupport: r.int("min-support", 2, 1), minQuery: r.int("min-query", 1, 1),
    ...(shards ? { shards } : {}), memoryMiB: r.int("memory-mib", 256, 1),
    ...(holdout !== undefined ? { holdout } : {}), seed: r.int("seed", 0, 0), overwrite: r.flag("overwrite"),
    onBadRow: r.choice("on-bad-row", ["fail", "skip"] as const, "fail"),
  };
}

/** Runs prepare (and the optional task holdout); returns the dataset folders written. */
export async function runPrepare(a: PrepareArgs): Promise<{ train: string; test?: string }> {
  // Everything that can be checked is, before anything is written.
  if (a.schemaName !== "movielens") for (const f of a.input) checkInputFile(f);
  if (existsSync(a.out) && !a.overwrite) throw new UsageError(`gmeta prepare: ${a.out} exists; pass --overwrite to replace it`);
  if (a.holdout !== undefined && a.input.length !== 1) throw new UsageError("gmeta prepare: expected one --input with --holdout, got " + a.input.length);
  checkWritableTarget(join(a.out, "manifest.json"));
  let inputs = a.input;
  let scratch: string | null = null;
  if (a.schemaName === "movielens") {
    scratch = `${a.out}.movielens.tmp`;
    mkdirSync(scratch, { recursive: true });
    inputs = await Promise.all(a.input.map(async (dir, i) => (await convertMovieLens(dir, join(scratch!, `ratings-${i}.arrow`))).file));
  }
  const common = {
    schema: a.schema, split: { query: a.query, ...(a.by ? { by: a.by } : {}) }, minSupport: a.minSupport, minQuery: a.minQuery,
    ...(a.shards ? { shards: a.shards } : {}), memoryBudget: a.memoryMiB * 2 ** 20, seed: a.seed, overwrite: a.overwrite,
    onBadRow: a.onBadRow ?? "fail",
  };
  try {
    if (a.holdout === undefined) {
      const res = await prepare({ ...common, input: inputs, out: a.out });
      report(res.dir, res.manifest.counts, res.spilledRuns, res.skipped);
      return { train: res.dir };
    }
    scratch ??= `${a.out}.split.tmp`;
    mkdirSync(scratch, { recursive: true });
    // Both sets are written under a temporary folder that takes the final name when complete.
    const partial = `${a.out}.partial`;
    rmSync(partial, { recursive: true, force: true });
    const ext = extname(inputs[0]!) || ".arrow";
    const base = basename(inputs[0]!, ext);
    const trainRaw = join(scratch, `${base}.train${ext}`);
    const testRaw = join(scratch, `${base}.test${ext}`);
    const split = await splitTasks({ input: inputs[0]!, schema: a.schema, train: trainRaw, test: testRaw, holdout: a.holdout, seed: a.seed });
    status(`held out ${split.test.tasks} of ${split.train.tasks + split.test.tasks} tasks (${split.test.samples} samples)`);
    mkdirSync(partial, { recursive: true });
    try {
      const train = await prepare({ ...common, input: trainRaw, out: join(partial, "train") });
      const test = await prepare({ ...common, input: testRaw, out: join(partial, "test") });
      rmSync(a.out, { recursive: true, force: true });
      renameSync(partial, a.out);
      report(join(a.out, "train"), train.manifest.counts, train.spilledRuns, train.skipped);
      report(join(a.out, "test"), test.manifest.counts, test.spilledRuns, test.skipped);
    } finally {
      rmSync(partial, { recursive: true, force: true });
    }
    return { train: join(a.out, "train"), test: join(a.out, "test") };
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

function report(dir: string, c: { tasks: number; samples: number; supportSamples: number; querySamples: number; droppedTasks: number }, spilled: number, skipped: { rows: number; first?: string }) {
  status(`prepared ${dir}: ${c.tasks} tasks, ${c.samples} samples (support ${c.supportSamples}, query ${c.querySamples}); dropped ${c.droppedTasks} small tasks${spilled ? `; spilled ${spilled} sorted runs` : ""}`);
  if (skipped.rows) status(`skipped ${skipped.rows} row(s) with bad values (first: ${skipped.first})`);
}

/** Temporaries of a prepare into `out` by this process: removed when it is interrupted. */
function removeTemporaries(out: string): void {
  for (const p of [`${out}.split.tmp`, `${out}.partial`, `${out}.movielens.tmp`]) rmSync(p, { recursive: true, force: true });
  const parent = dirname(resolve(out));
  const own = `.${basename(out)}.tmp-${process.pid}-`;
  if (existsSync(parent)) for (const n of readdirSync(parent)) if (n.startsWith(own)) rmSync(join(parent, n), { recursive: true, force: true });
}

export async function prepareCommand(argv: string[]): Promise<number> {
  const a = prepareArgs(argv);
  if (!a) {
    console.log(PREPARE_HELP);
    return 0;
  }
  const stop = onInterrupt(() => removeTemporaries(a.out), (signal) => `gmeta prepare: interrupted by ${signal}; nothing was written to ${a.out}`);
  try {
    await runPrepare(a);
  } finally {
    stop();
  }
  return 0;
}
