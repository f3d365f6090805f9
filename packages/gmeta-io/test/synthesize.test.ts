import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { auc, readRaw, synthesize } from "../src/index.js";
import { tmpDir } from "./tmpDir.js";

const dir = tmpDir("synth");
const base = { users: 120, items: 80, categories: 6, samplesPerUser: [4, 60] as [number, number], dense: 3 };

describe("synthesize", () => {
  for (const ext of ["csv", "arrow", "parquet"]) {
    it(`gives the same bytes for the same seed (${ext})`, async () => {
      const a = await synthesize({ ...base, seed: 11, out: join(dir, `a.${ext}`) });
      const b = await synthesize({ ...base, seed: 11, out: join(dir, `b.${ext}`) });
      const c = await synthesize({ ...base, seed: 12, out: join(dir, `c.${ext}`) });
      expect(readFileSync(a.file).equals(readFileSync(b.file))).toBe(true);
      expect(readFileSync(a.file).equals(readFileSync(c.file))).toBe(false);
      expect(a.oracleAuc).toBe(b.oracleAuc);
    });
  }

  it("reports the oracle AUC of the true probabilities it wrote", async () => {
    const r = await synthesize({ ...base, seed: 5, out: join(dir, "o.arrow") });
    const labels: number[] = [];
    const p: number[] = [];
    const rawSchema = { ...r.schema, dense: [...r.schema.dense, "p_true"] };
    for await (const c of readRaw(r.file, rawSchema)) {
      const D = rawSchema.dense.length;
      for (let i = 0; i < c.n; i++) {
        labels.push(c.label[i]!);
        p.push(c.dense[i * D + D - 1]!);
      }
    }
    expect(labels.length).toBe(r.samples);
    expect(labels.reduce((s, y) => s + y, 0)).toBe(r.positives);
    // p_true is read back as float32, so allow a hair of rounding
    expect(auc(labels, p)).toBeCloseTo(r.oracleAuc, 3);
    expect(r.oracleAuc).toBeGreaterThan(0.7);
    expect(r.oracleAuc).toBeLessThan(1);
  });

  it("has task structure: every user present, most cold, ids inside the vocabulary", async () => {
    const r = await synthesize({ ...base, seed: 9, out: join(dir, "t.csv") });
    const perUser = new Map<bigint, number>();
    for await (const c of readRaw(r.file, r.schema)) {
      for (let i = 0; i < c.n; i++) perUser.set(c.task[i]!, (perUser.get(c.task[i]!) ?? 0) + 1);
      r.schema.sparse.forEach((slot, s) => {
        for (const id of c.sparse[s]!.ids) expect(id < BigInt(r.vocab[slot.name]!)).toBe(true);
      });
    }
    expect(perUser.size).toBe(base.users);
    const counts = [...perUser.values()].sort((a, b) => a - b);
    expect(counts[0]).toBeGreaterThanOrEqual(4);
    expect(counts[counts.length - 1]).toBeLessThanOrEqual(60);
    expect(counts[Math.floor(counts.length / 2)]!).toBeLessThan(25);
  });

  it("rejects bad options with the option's name", async () => {
    await expect(synthesize({ ...base, users: 0, seed: 1, out: join(dir, "x.csv") })).rejects.toThrow(/for users/);
    await expect(synthesize({ ...base, samplesPerUser: [5, 2], seed: 1, out: join(dir, "x.csv") })).rejects.toThrow(/samplesPerUser/);
  });
});
