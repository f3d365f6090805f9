import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Field, List, Table, Utf8, tableFromArrays, tableToIPC, vectorFromArray } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { hashStringId, readRaw, validateSchema } from "../src/index.js";
import type { RawSchema, SampleChunk } from "../src/index.js";
import { tmpDir } from "./tmpDir.js";

const dir = tmpDir("hashed");
const schema: RawSchema = { taskKey: "user", label: "click", dense: [], sparse: [{ name: "item", hashBuckets: 1000 }, { name: "tags", list: true, hashBuckets: 50 }] };

async function all(file: string, s: RawSchema): Promise<SampleChunk> {
  const out: SampleChunk[] = [];
  for await (const c of readRaw(file, s)) out.push(c);
  return out[0]!;
}

describe("hashed slots", () => {
  it("hashStringId is FNV-1a 64 of the UTF-8 bytes", () => {
    // Published FNV-1a 64 test vectors.
    expect(BigInt.asUintN(64, hashStringId(""))).toBe(0xcbf29ce484222325n);
    expect(BigInt.asUintN(64, hashStringId("a"))).toBe(0xaf63dc4c8601ec8cn);
    expect(BigInt.asUintN(64, hashStringId("foobar"))).toBe(0x85944171f73967e8n);
    expect(hashStringId("é")).not.toBe(hashStringId("e"));
  });

  it("string and 64-bit ids read the same from CSV and Arrow", async () => {
    const csv = join(dir, "ids.csv");
    writeFileSync(csv, "user,click,item,tags\n1,1,apple,-5|9223372036854775807\n2,0,18446744073709551615x,\n3,1,42,x|y\n");
    const a = await all(csv, schema);
    expect(Array.from(a.sparse[0]!.ids)).toEqual([hashStringId("apple"), hashStringId("18446744073709551615x"), 42n]);
    expect(Array.from(a.sparse[1]!.ids)).toEqual([-5n, 9223372036854775807n, hashStringId("x"), hashStringId("y")]);
    expect(Array.from(a.sparse[1]!.offsets)).toEqual([0, 2, 2, 4]);
    const arrow = join(dir, "ids.arrow");
    const tags = vectorFromArray([["p", "q"], [], ["x", "y"]], new List(new Field("item", new Utf8(), true)));
    // item dictionary-encoded (tableFromArrays' choice for strings), tags a list of plain strings.
    const full = tableFromArrays({ user: BigInt64Array.from([1n, 2n, 3n]), click: Float32Array.from([1, 0, 1]), item: ["apple", "18446744073709551615x", "42"] })
      .assign(new Table({ tags }));
    writeFileSync(arrow, tableToIPC(full, "file"));
    const b = await all(arrow, schema);
    expect(Array.from(b.sparse[0]!.ids)).toEqual([hashStringId("apple"), hashStringId("18446744073709551615x"), 42n]);
    expect(Array.from(b.sparse[1]!.ids)).toEqual([hashStringId("p"), hashStringId("q"), hashStringId("x"), hashStringId("y")]);
  });

  it("hashBuckets must be a table size", () => {
    expect(() => validateSchema({ ...schema, sparse: [{ name: "item", hashBuckets: 0 }] })).toThrow('schema: expected an integer in [1, 2147483647] for hashBuckets of column "item", got 0');
    expect(() => validateSchema({ ...schema, sparse: [{ name: "item", hashBuckets: 2 ** 31 }] })).toThrow("hashBuckets");
  });
});
