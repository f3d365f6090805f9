import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readRaw, writeRawFile, type RawSchema, type SampleChunk } from "../src/index.js";
import { smallChunk, smallSchema } from "./fixtures.js";
import { tmpDir } from "./tmpDir.js";

const dir = tmpDir("raw");

async function readAll(file: string, schema: RawSchema): Promise<SampleChunk[]> {
  const out: SampleChunk[] = [];
  for await (const c of readRaw(file, schema, { chunkRows: 3 })) out.push(c);
  return out;
}

describe("raw formats round-trip", () => {
  for (const ext of ["csv", "arrow", "parquet"]) {
    it(`writes and reads back ${ext} exactly`, async () => {
      const file = join(dir, `small.${ext}`);
      const chunk = smallChunk();
      await writeRawFile(file, smallSchema, [chunk]);
      const back = await readAll(file, smallSchema);
      const total = back.reduce((s, c) => s + c.n, 0);
      expect(total).toBe(4);
      const merged = back.length === 1 ? back[0]! : concat(back);
      expect(merged).toEqual({ ...chunk, dense: Float32Array.from(chunk.dense) });
    });
  }
});

function concat(cs: SampleChunk[]): SampleChunk {
  const cat = <T extends BigInt64Array | Float32Array | Float64Array>(xs: T[]): T => {
    const len = xs.reduce((s, x) => s + x.length, 0);
    const out = new (xs[0]!.constructor as new (n: number) => T)(len);
    let at = 0;
    for (const x of xs) {
      out.set(x as never, at);
      at += x.length;
    }
    return out;
  };
  const offs = (k: number): Int32Array => {
    const out: number[] = [0];
    let base = 0;
    for (const c of cs) {
      const o = c.sparse[k]!.offsets;
      for (let i = 1; i < o.length; i++) out.push(base + o[i]!);
      base += o[o.length - 1]!;
    }
    return Int32Array.from(out);
  };
  return {
    n: cs.reduce((s, c) => s + c.n, 0),
    task: cat(cs.map((c) => c.task)),
    label: cat(cs.map((c) => c.label)),
    dense: cat(cs.map((c) => c.dense)),
    sparse: cs[0]!.sparse.map((_, k) => ({ ids: cat(cs.map((c) => c.sparse[k]!.ids)), offsets: offs(k) })),
    timestamp: cat(cs.map((c) => c.timestamp!)),
  };
}
