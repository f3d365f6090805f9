import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeVector, Table, tableToIPC } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { BadRows, BadValueError, openMetaDataset, prepare, readRaw, type RawSchema } from "../src/index.js";
import { tmpDir } from "./tmpDir.js";

const dir = tmpDir("values");
const schema: RawSchema = { taskKey: "task", label: "y", dense: ["a"], sparse: [{ name: "item" }], timestamp: "ts" };

function csv(name: string, rows: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, ["task,y,a,item,ts", ...rows].join("\n") + "\n");
  return file;
}
async function drain(file: string): Promise<unknown> {
  for await (const _ of readRaw(file, schema)) void _;
  return null;
}
const good = (task: number, t: number) => `${task},${t % 2},0.5,${t},${t}`;

describe("values beyond float32 are refused where they enter", () => {
  it.each([
    ["dense 1e39", "1,0,1e39,3,1", /row 3, column "a": expected a number within float32's range \(\|x\| <= 3\.4028235e38\), got 1e\+39/],
    ["dense -Infinity", "1,0,-Infinity,3,1", /row 3, column "a": expected a finite number, got -Infinity/],
    ["dense NaN", "1,0,NaN,3,1", /row 3, column "a": expected a finite number, got NaN/],
    ["timestamp NaN", "1,0,0.5,3,NaN", /row 3, column "ts": expected a finite number, got NaN/],
    ["timestamp Infinity", "1,0,0.5,3,Infinity", /row 3, column "ts": expected a finite number, got Infinity/],
    ["label Infinity", "1,Infinity,0.5,3,1", /row 3, column "y": expected a label in \[0, 1\], got Infinity/],
  ])("CSV %s", async (_name, row, pattern) => {
    const f = csv(`v-${_name.replace(/\W/g, "")}.csv`, [good(1, 1), good(1, 2), row]);
    const e = await drain(f).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BadValueError);
    expect((e as Error).message).toMatch(pattern);
    expect((e as Error).message.startsWith(f)).toBe(true);
  });

  it("a float64 Arrow column beyond float32 and a NaN Arrow timestamp", async () => {
    const file = join(dir, "f64.arrow");
    const cols = (a: number[], ts: number[]) => ({
      task: makeVector(BigInt64Array.from([1n, 1n])), y: makeVector(Float32Array.from([0, 1])), a: makeVector(Float64Array.from(a)),
      item: makeVector(BigInt64Array.from([1n, 2n])), ts: makeVector(Float64Array.from(ts)),
    });
    writeFileSync(file, tableToIPC(new Table(cols([0.5, -1e39], [1, 2]) as never), "file"));
    await expect(drain(file)).rejects.toThrow(/f64\.arrow, row 2, column "a": expected a number within float32's range/);
    writeFileSync(file, tableToIPC(new Table(cols([0.5, 0.25], [NaN, 2]) as never), "file"));
    await expect(drain(file)).rejects.toThrow(/f64\.arrow, row 1, column "ts": expected a finite number, got NaN/);
  });

  it('onBadRow "skip" drops the rows, counts them in the manifest, and the data stays finite', async () => {
    const rows = [];
    for (let t = 1; t <= 4; t++) for (let i = 0; i < 6; i++) rows.push(good(t, i));
    rows.splice(3, 0, "2,0,1e39,9,3", "3,NaN,0.5,9,3", "4,1,0.5,9,NaN");
    const f = csv("skip.csv", rows);
    const failOut = join(dir, "fail-out");
    await expect(prepare({ input: f, schema, out: failOut, split: { query: 2 } })).rejects.toThrow(/skip\.csv, row 4, column "a"/);
    expect(existsSync(failOut)).toBe(false);
    expect(readdirSync(dir).filter((n) => n.includes(".tmp-"))).toEqual([]);
    const out = join(dir, "skip-out");
    const r = await prepare({ input: f, schema, out, split: { query: 2 }, onBadRow: "skip" });
    expect(r.manifest.counts.skippedRows).toBe(3);
    expect(r.manifest.counts.inputSamples).toBe(24);
    expect(r.skipped.first).toMatch(/row 4, column "a"/);
    const ds = await openMetaDataset(out);
    expect(ds.manifest.counts.samples).toBe(24);
  });

  it("skipped rows leave the rows that errors name as in the file (quoted CSV fields, Arrow), ids too large for a table included", async () => {
    // Row 2 is dropped (NaN); row 3's id needs more than 2^31 - 1 rows and must be named row 3.
    const f = join(dir, "skip-then-id.csv");
    writeFileSync(f, ["task,y,a,item,ts", '1,0,"0.5",1,1', '1,1,"NaN",2,2', '"1",0,0.5,3000000000,3', good(1, 4)].join("\n") + "\n");
    const out = join(dir, "skip-then-id-out");
    await expect(prepare({ input: f, schema, out, split: { query: 1 }, onBadRow: "skip" })).rejects.toThrow(
      /skip-then-id\.csv, row 3, column "item": largest id 3000000000 needs a table of more than 2147483647 rows/,
    );
    expect(existsSync(out)).toBe(false);
    const a = join(dir, "skip-then-id.arrow");
    writeFileSync(a, tableToIPC(new Table({
      task: makeVector(BigInt64Array.from([1n, 1n, 1n])), y: makeVector(Float32Array.from([0, 1, 0])), a: makeVector(Float32Array.from([NaN, 0.5, 0.5])),
      item: makeVector(BigInt64Array.from([1n, 2n, 3_000_000_000n])), ts: makeVector(Float64Array.from([1, 2, 3])),
    } as never), "file"));
    await expect(prepare({ input: a, schema, out, split: { query: 1 }, onBadRow: "skip" })).rejects.toThrow(/skip-then-id\.arrow, row 3, column "item": largest id 3000000000/);
    // Reading alone takes any int64 id (the table check is prepare's).
    let n = 0;
    for await (const c of readRaw(a, schema, { badRows: new BadRows("skip") })) n += c.n;
    expect(n).toBe(2);
  });
});
