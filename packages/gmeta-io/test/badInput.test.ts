import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Table, tableToIPC, vectorFromArray, makeVector } from "apache-arrow";
import { beforeAll, describe, expect, it } from "vitest";
import { DataError, openMetaDataset, prepare, readRaw, synthesize, writeRawFile, type RawSchema } from "../src/index.js";
import { parquetWasm } from "../src/parquetWasm.js";
import { smallChunk, smallSchema } from "./fixtures.js";
import { tmpDir } from "./tmpDir.js";

const dir = tmpDir("bad");
const schema: RawSchema = { taskKey: "task", label: "y", dense: ["a"], sparse: [{ name: "item" }, { name: "tags", list: true }] };
const header = "task,y,a,item,tags";

async function drain(file: string, s: RawSchema = schema): Promise<void> {
  for await (const _ of readRaw(file, s)) void _;
}
function csv(name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}
function arrow(name: string, cols: Record<string, unknown>): string {
  const file = join(dir, name);
  writeFileSync(file, tableToIPC(new Table(cols as never), "file"));
  return file;
}
async function fails(p: Promise<unknown>, pattern: RegExp): Promise<DataError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DataError);
  expect((e as Error).message).toMatch(pattern);
  return e as DataError;
}

describe("bad raw input names file, row and column", () => {
  it("missing column (CSV, Arrow, Parquet)", async () => {
    const f = csv("missing.csv", ["task,y,item,tags", "1,0,3,4"]);
    const e = await fails(drain(f), /missing\.csv, header, column "a": missing column \(the header has: task, y, item, tags\)/);
    expect(e.column).toBe("a");
    const a = arrow("missing.arrow", { task: makeVector(BigInt64Array.from([1n])), y: makeVector(Float32Array.from([1])) });
    await fails(drain(a), /missing\.arrow, schema, column "a": missing column/);
    const p = join(dir, "missing.parquet");
    const pw = parquetWasm();
    writeFileSync(p, pw.writeParquet(pw.Table.fromIPCStream(tableToIPC(new Table({ task: makeVector(BigInt64Array.from([1n])) }), "stream"))));
    await fails(drain(p), /missing\.parquet, schema, column "y": missing column/);
  });

  it("wrong type", async () => {
    const base = { task: makeVector(BigInt64Array.from([1n])), y: makeVector(Float32Array.from([1])), item: makeVector(BigInt64Array.from([2n])) };
    const a = arrow("type.arrow", { ...base, a: vectorFromArray(["x"]), tags: vectorFromArray([[1n]]) });
    await fails(drain(a), /type\.arrow, schema, column "a": expected a numeric column, got .*Utf8/);
    const b = arrow("type2.arrow", { ...base, a: makeVector(Float32Array.from([0.5])), tags: makeVector(BigInt64Array.from([3n])) });
    await fails(drain(b), /type2\.arrow, schema, column "tags": expected a list of integer ids, got Int64/);
  });

  it("unparsable number", async () => {
    const f = csv("num.csv", [header, "1,0,0.5,3,4", "1,1,abc,3,4|5"]);
    await fails(drain(f), /num\.csv, row 2, column "a": expected a number, got "abc"/);
    const g = csv("id.csv", [header, "1,0,0.5,3.5,4"]);
    await fails(drain(g), /id\.csv, row 1, column "item": expected an integer id \(set hashBuckets for the column in the schema to hash string ids\), got "3\.5"/);
  });

  it("NaN label (CSV and Arrow)", async () => {
    const f = csv("nan.csv", [header, "1,0,0.5,3,4", "2,1,0.5,3,4", "2,NaN,0.5,3,4"]);
    await fails(drain(f), /nan\.csv, row 3, column "y": expected a label in \[0, 1\], got NaN/);
    const a = arrow("nan.arrow", {
      task: makeVector(BigInt64Array.from([1n, 1n])),
      y: makeVector(Float32Array.from([1, NaN])),
      a: makeVector(Float32Array.from([0, 0])),
      item: makeVector(BigInt64Array.from([2n, 2n])),
      tags: vectorFromArray([[1n], [2n]]),
    });
    await fails(drain(a), /nan\.arrow, row 2, column "y": expected a label in \[0, 1\], got NaN/);
  });

  it("negative id (CSV list and Arrow list)", async () => {
    const f = csv("neg.csv", [header, "1,0,0.5,3,4|-7"]);
    await fails(drain(f), /neg\.csv, row 1, column "tags": expected an id ≥ 0, got -7/);
    const chunk = smallChunk();
    chunk.sparse[1]!.ids[3] = -2n;
    const a = join(dir, "neg.arrow");
    await writeRawFile(a, smallSchema, [chunk]);
    await fails(drain(a, smallSchema), /neg\.arrow, row 4, column "tags": expected an id ≥ 0, got -2/);
  });

  it("empty file (CSV, Arrow, Parquet) and a header without rows", async () => {
    for (const ext of ["csv", "arrow", "parquet"]) {
      const f = join(dir, `empty.${ext}`);
      writeFileSync(f, "");
      await fails(drain(f), new RegExp(`empty\\.${ext}, (header|schema): empty file`));
    }
    await fails(drain(csv("header.csv", [header])), /header\.csv, row 1: no data rows after the header/);
  });

  it("truncated Arrow file", async () => {
    const r = await synthesize({ users: 30, items: 10, categories: 2, samplesPerUser: [2, 5], dense: 1, seed: 1, out: join(dir, "whole.arrow") });
    const bytes = readFileSync(r.file);
    const cut = join(dir, "cut.arrow");
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    await fails(drain(cut, r.schema), /cut\.arrow, row \d+: truncated or damaged Arrow IPC file/);
  });

  it("prepare leaves no partial output when the input is bad", async () => {
    const f = csv("late.csv", [header, ...Array.from({ length: 50 }, (_, i) => `${i % 5},1,0.5,3,4`), "9,1,0.5,-1,4"]);
    const out = join(dir, "never");
    await fails(prepare({ input: f, schema, out, split: { query: 1 }, memoryBudget: 500, chunkRows: 10 }), /late\.csv, row 51, column "item": expected an id ≥ 0/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((n) => n.startsWith(".never"))).toEqual([]);
  });
});

describe("bad prepared datasets", () => {
  let good: string;
  beforeAll(async () => {
    const r = await synthesize({ users: 30, items: 10, categories: 2, samplesPerUser: [3, 8], dense: 1, seed: 2, out: join(dir, "r.arrow") });
    good = join(dir, "good");
    await prepare({ input: r.file, schema: r.schema, out: good, split: { query: 1 }, rowsPerPart: 40 });
  });

  it("checksum mismatch", async () => {
    const d = join(dir, "flipped");
    cpSync(good, d, { recursive: true });
    const part = join(d, "part-00001.arrow");
    const bytes = readFileSync(part);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    writeFileSync(part, bytes);
    await fails(openMetaDataset(d), /part-00001\.arrow: sha256 mismatch: the manifest says [0-9a-f]{64}, the file has [0-9a-f]{64}/);
  });

  it("truncated part file", async () => {
    const d = join(dir, "short");
    cpSync(good, d, { recursive: true });
    const part = join(d, "part-00000.arrow");
    writeFileSync(part, readFileSync(part).subarray(0, 100));
    await fails(openMetaDataset(d), /part-00000\.arrow: size 100 differs from the manifest's \d+ bytes/);
  });

  it("manifest of a newer version", async () => {
    const d = join(dir, "newer");
    cpSync(good, d, { recursive: true });
    const m = JSON.parse(readFileSync(join(d, "manifest.json"), "utf8"));
    m.formatVersion = 2;
    writeFileSync(join(d, "manifest.json"), JSON.stringify(m));
    await fails(openMetaDataset(d), /manifest\.json, field "formatVersion": format version 2 is newer than this reader supports \(1\)/);
  });

  it("not a prepared folder", async () => {
    await fails(openMetaDataset(join(dir, "nowhere")), /manifest\.json: cannot read the manifest/);
  });
});
