import { createReadStream, promises as fsp } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { DataError } from "./dataError.js";
import type { RawFormat } from "./rawFormat.js";
import type { RawSchema } from "./rawSchema.js";
import { writeRawFile } from "./rawWriter.js";
import { SampleChunkBuilder, type SampleChunk } from "./sampleChunk.js";

/** The 18 MovieLens-1M genres; a genre id is its index here (unknown genres are appended in order seen). */
export const MOVIELENS_GENRES = [
  "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama", "Fantasy",
  "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western",
];

const AGES = [1, 18, 25, 35, 45, 50, 56];

/**
 * The raw schema MovieLens-1M becomes: user = task, rating ≥ 4 = click, the movie's release
 * year (scaled) as the one dense feature, and sparse slots movie, genres (a list), gender,
 * age bucket and occupation.
 */
export const movieLensSchema: RawSchema = {
  taskKey: "user",
  label: "click",
  dense: ["year"],
  sparse: [{ name: "movie" }, { name: "genres", list: true }, { name: "gender" }, { name: "age" }, { name: "occupation" }],
  timestamp: "ts",
};

interface Movie {
  year: number;
  genres: bigint[];
}
interface User {
  gender: bigint;
  age: bigint;
  occupation: bigint;
}

/** Streams MovieLens-1M (`ratings.dat`, `users.dat`, `movies.dat`, `::`-separated) as raw samples of {@link movieLensSchema}. */
export async function* readMovieLens(dir: string, chunkRows = 65536): AsyncGenerator<SampleChunk> {
  const genreIds = new Map(MOVIELENS_GENRES.map((g, i) => [g, i]));
  const movies = new Map<number, Movie>();
  for await (const { f, row, file } of datRows(join(dir, "movies.dat"), 3)) {
    const id = int(f[0]!, file, row, "MovieID");
    const m = /\((\d{4})\)\s*$/.exec(f[1]!);
    const genres = f[2]!.split("|").filter((g) => g.length > 0).map((g) => {
      if (!genreIds.has(g)) genreIds.set(g, genreIds.size);
      return BigInt(genreIds.get(g)!);
    });
    movies.set(id, { year: m ? Number(m[1]) : 1990, genres });
  }
  const users = new Map<number, User>();
  for await (const { f, row, file } of datRows(join(dir, "users.dat"), 5)) {
    const id = int(f[0]!, file, row, "UserID");
    const g = f[1];
    if (g !== "M" && g !== "F") throw new DataError({ file, row, column: "Gender" }, `expected M or F, got ${JSON.stringify(g)}`);
    const age = AGES.indexOf(int(f[2]!, file, row, "Age"));
    if (age < 0) throw new DataError({ file, row, column: "Age" }, `expected one of ${AGES.join(", ")}, got ${f[2]}`);
    users.set(id, { gender: g === "M" ? 0n : 1n, age: BigInt(age), occupation: BigInt(int(f[3]!, file, row, "Occupation")) });
  }
  const b = new SampleChunkBuilder(1, 5, true, chunkRows);
  for await (const { f, row, file } of datRows(join(dir, "ratings.dat"), 4)) {
    const uid = int(f[0]!, file, row, "UserID");
    const mid = int(f[1]!, file, row, "MovieID");
    const rating = int(f[2]!, file, row, "Rating");
    if (rating < 1 || rating > 5) throw new DataError({ file, row, column: "Rating" }, `expected 1 to 5, got ${rating}`);
    const ts = int(f[3]!, file, row, "Timestamp");
    const movie = movies.get(mid);
    if (!movie) throw new DataError({ file, row, column: "MovieID" }, `movie ${mid} is not in movies.dat`);
    const user = users.get(uid);
    if (!user) throw new DataError({ file, row, column: "UserID" }, `user ${uid} is not in users.dat`);
    b.begin(BigInt(uid), rating >= 4 ? 1 : 0, ts);
    b.setDense(0, (movie.year - 1990) / 10);
    b.pushId(0, BigInt(mid));
    for (const g of movie.genres) b.pushId(1, g);
    b.pushId(2, user.gender);
    b.pushId(3, user.age);
    b.pushId(4, user.occupation);
    b.end();
    if (b.n >= chunkRows) {
      yield b.build();
      b.reset();
    }
  }
  if (b.n > 0) yield b.build();
}

// The non-empty lines of a `::`-separated file (MovieLens files are Latin-1), split and counted.
async function* datRows(file: string, fields: number): AsyncGenerator<{ f: string[]; row: number; file: string }> {
  try {
    await fsp.access(file);
  } catch {
    throw new DataError({ file }, "missing MovieLens-1M file (a MovieLens folder holds ratings.dat, users.dat and movies.dat)");
  }
  let row = 0;
  const rl = createInterface({ input: createReadStream(file, { encoding: "latin1" }), crlfDelay: Infinity });
  for await (const line of rl) {
    if (line.length === 0) continue;
    row++;
    const f = line.split("::");
    if (f.length !== fields) throw new DataError({ file, row }, `expected ${fields} fields separated by "::", got ${f.length}`);
    yield { f, row, file };
  }
  if (row === 0) throw new DataError({ file, row: 1 }, "empty file");
}

function int(text: string, file: string, row: number, column: string): number {
  const v = Number(text);
  if (!Number.isInteger(v)) throw new DataError({ file, row, column }, `expected an integer, got ${JSON.stringify(text)}`);
  return v;
}

/** Converts a MovieLens-1M folder into one raw file (CSV, Arrow IPC or Parquet) ready for `prepare`. */
export async function convertMovieLens(dir: string, out: string, format?: RawFormat): Promise<{ file: string; schema: RawSchema }> {
  await writeRawFile(out, movieLensSchema, readMovieLens(dir), format);
  return { file: out, schema: movieLensSchema };
}
