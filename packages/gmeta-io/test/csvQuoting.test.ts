import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DataError, hashStringId, readRaw } from "../src/index.js";
import type { RawSchema, SampleChunk } from "../src/index.js";
import { tmpDir } from "./tmpDir.js";

const dir = tmpDir("csvq");
const schema: RawSchema = { taskKey: "user", label: "click", dense: ["d"], sparse: [{ name: "item", hashBuckets: 100 }, { name: "tags", list: true }] };

async function read(name: string, text: string | Buffer): Promise<SampleChunk[]> {
  const f = join(dir, name);
  writeFileSync(f, text);
  const out: SampleChunk[] = [];
  for await (const c of readRaw(f, schema, { chunkRows: 2 })) out.push(c);
  return out;
}

async function error(name: string, text: string): Promise<DataError> {
  try {
    await read(name, text);
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    return e as DataError;
  }
  throw new Error("expected a DataError");
}

describe("CSV as spreadsheets and loggers write it", () => {
  it("quoted fields with separators, quotes and newlines; BOM; CRLF; blank lines", async () => {
    const text = '\uFEFF"user",click,d,item,tags\r\n1,1,0.5,"Smith, J.",3|4\r\n\r\n2,0,"-1.5","say ""hi""\nthere",\r\n3,1,2,plain,"7"\r\n';
    const chunks = await read("quoted.csv", text);
    expect(chunks.map((c) => c.n)).toEqual([2, 1]);
    const ids = chunks.flatMap((c) => Array.from(c.sparse[0]!.ids));
    expect(ids).toEqual([hashStringId("Smith, J."), hashStringId('say "hi"\nthere'), hashStringId("plain")]);
    expect(chunks.flatMap((c) => Array.from(c.dense))).toEqual([0.5, -1.5, 2]);
    expect(chunks.flatMap((c) => Array.from(c.task))).toEqual([1n, 2n, 3n]);
    expect(chunks.flatMap((c) => Array.from(c.sparse[1]!.ids))).toEqual([3n, 4n, 7n]);
    expect(Array.from(chunks[0]!.sparse[1]!.offsets)).toEqual([0, 2, 2]);
  });

  it("errors name the record's row even after a quoted newline, and malformed quoting is named", async () => {
    const e = await error("row.csv", 'user,click,d,item,tags\n1,1,0,"a\nb",3\n2,1,x,c,4\n');
    expect(e.message).toMatch(/row\.csv, row 2, column "d": expected a number, got "x"/);
    const q = await error("quote.csv", 'user,click,d,item,tags\n1,1,0,a,3\n2,1,0,"unclosed,4\n');
    expect(q.message).toMatch(/quote\.csv, row 2: malformed CSV \(/);
    const c = await error("closing.csv", 'user,click,d,item,tags\n1,1,0,a,3\n2,1,0,"bad"x,4\n');
    expect(c.message).toMatch(/closing\.csv, row 2: malformed CSV \(Invalid Closing Quote/);
    const h = await error("head.csv", 'user,"click,d,item,tags\n');
    expect(h.message).toMatch(/head\.csv, header: malformed CSV/);
    const n = await error("fields.csv", "user,click,d,item,tags\n1,1,0,a,3\n2,1,0,b\n");
    expect(n.message).toMatch(/fields\.csv, row 2: expected 5 fields as in the header, got 4/);
  });
});
