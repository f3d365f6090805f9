import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MOVIELENS_GENRES, convertMovieLens, openMetaDataset, prepare, readMovieLens, readRaw } from "../src/index.js";
import { tmpDir } from "./tmpDir.js";

const root = tmpDir("ml");

// A tiny folder in the MovieLens-1M layout: `::` fields, Latin-1 titles, pipe-separated genres.
function fixture(name: string, ratings: string[]): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "movies.dat"), ["1::Toy Story (1995)::Animation|Children's|Comedy", "2::Jumanji (1995)::Adventure|Children's|Fantasy", "3::Amélie (2001)::Comedy|Romance", ""].join("\n"), "latin1");
  writeFileSync(join(dir, "users.dat"), ["1::F::1::10::48067", "2::M::56::16::70072", "3::M::25::15::55117"].join("\n") + "\n");
  writeFileSync(join(dir, "ratings.dat"), ratings.join("\n") + "\n");
  return dir;
}

const ratings = [
  "1::1::5::978300760", "1::2::3::978302109", "1::3::4::978301968", "1::2::1::978300275",
  "2::1::2::978298413", "2::3::5::978299000", "2::2::4::978299100",
  "3::3::4::978297000", "3::1::1::978297100", "3::2::5::978297200", "3::1::3::978297300",
];

describe("MovieLens-1M adapter", () => {
  it("reads ratings as samples: rating ≥ 4 clicks, genres as a list slot, user features", async () => {
    const dir = fixture("ok", ratings);
    const chunks = [];
    for await (const c of readMovieLens(dir, 4)) chunks.push(c);
    expect(chunks.map((c) => c.n)).toEqual([4, 4, 3]);
    const c = chunks[0]!;
    expect([...c.task]).toEqual([1n, 1n, 1n, 1n]);
    expect([...c.label]).toEqual([1, 0, 1, 0]);
    expect([...c.timestamp!]).toEqual([978300760, 978302109, 978301968, 978300275]);
    const genres = (i: number) => [...c.sparse[1]!.ids.subarray(c.sparse[1]!.offsets[i]!, c.sparse[1]!.offsets[i + 1]!)].map((g) => MOVIELENS_GENRES[Number(g)]);
    expect(genres(0)).toEqual(["Animation", "Children's", "Comedy"]);
    expect(genres(2)).toEqual(["Comedy", "Romance"]);
    expect(c.dense[2]).toBeCloseTo(1.1);
    // movie, gender (F = 1), age bucket (1 → 0), occupation
    expect([c.sparse[0]!.ids[0], c.sparse[2]!.ids[0], c.sparse[3]!.ids[0], c.sparse[4]!.ids[0]]).toEqual([1n, 1n, 0n, 10n]);
  });

  it("converts to a raw file that prepare turns into one task per user, split by time", async () => {
    const dir = fixture("prep", ratings);
    const { file, schema } = await convertMovieLens(dir, join(root, "ml.parquet"));
    let n = 0;
    for await (const c of readRaw(file, schema)) n += c.n;
    expect(n).toBe(ratings.length);
    const out = join(root, "ml-prepared");
    const { manifest } = await prepare({ input: file, schema, out, split: { query: 1 }, minSupport: 2 });
    expect(manifest.counts).toMatchObject({ tasks: 3, samples: 11, querySamples: 3, droppedTasks: 0 });
    expect(manifest.slots.find((s) => s.name === "genres")).toEqual({ name: "genres", list: true, vocab: 14 });
    const ds = await openMetaDataset(out);
    const [b] = await (async () => {
      const all = [];
      for await (const x of ds.loader({ tasksPerBatch: 3, shuffle: false, workers: 0 })) all.push(x);
      return all;
    })();
    expect([...b!.taskKeys]).toEqual([1n, 2n, 3n]);
    // user 1's latest rating (movie 2 at 978302109) is the query sample
    expect(b!.query.slots[0]!.ids[0]).toBe(2n);
    expect([...b!.support.taskOffsets]).toEqual([0, 3, 5, 8]);
  });

  it("names file, row and column of bad MovieLens input", async () => {
    const dir = fixture("bad", ["1::1::5::978300760", "2::9::4::978300761"]);
    const drain = async (d: string) => {
      for await (const _ of readMovieLens(d)) void _;
    };
    await expect(drain(dir)).rejects.toThrow(/ratings\.dat, row 2, column "MovieID": movie 9 is not in movies\.dat/);
    const short = fixture("short", ["1::1::5"]);
    await expect(drain(short)).rejects.toThrow(/ratings\.dat, row 1: expected 4 fields separated by "::", got 3/);
    await expect(drain(join(root, "absent"))).rejects.toThrow(/movies\.dat: missing MovieLens-1M file/);
  });
});
