import { formatOf, type RawFormat } from "./rawFormat.js";
import type { RawSchema } from "./rawSchema.js";
import { readRaw } from "./readRaw.js";
import { writeRawFile } from "./rawWriter.js";
import { SampleChunkBuilder, type SampleChunk } from "./sampleChunk.js";

/** Options of {@link splitTasks}. */
export interface SplitTasksOptions {
  input: string;
  schema: RawSchema;
  /** Files for the kept tasks and the held-out tasks. */
  train: string;
  test: string;
  /** Fraction of tasks held out, in (0, 1). */
  holdout: number;
  seed?: number;
  format?: RawFormat;
}

/** Counts written by {@link splitTasks}. */
export interface SplitTasksResult {
  train: { tasks: number; samples: number };
  test: { tasks: number; samples: number };
}

const MASK = (1n << 64n) - 1n;

/** A stable uniform number in [0, 1) for a task key (splitmix64 of key and seed). */
export function taskUniform(key: bigint, seed: number): number {
  let z = (BigInt.asUintN(64, key) + BigInt(seed) * 0x9e3779b97f4a7c15n + 0x9e3779b97f4a7c15n) & MASK;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
  z ^= z >> 31n;
  return Number(z >> 11n) / 2 ** 53;
}

/**
 * Splits raw samples into two files by task: every sample of a task lands in the same file,
 * and a task is held out when its seeded hash falls below `holdout` (cold-start evaluation
 * on users never seen in training). Streams the input once per output.
 */
export async function splitTasks(o: SplitTasksOptions): Promise<SplitTasksResult> {
  if (!(o.holdout > 0 && o.holdout < 1)) {
    throw new Error(`splitTasks: expected a fraction in (0, 1) for holdout, got ${JSON.stringify(o.holdout)}`);
  }
  const seed = o.seed ?? 0;
  const format = o.format ?? formatOf(o.input);
  const result: SplitTasksResult = { train: { tasks: 0, samples: 0 }, test: { tasks: 0, samples: 0 } };
  for (const side of ["train", "test"] as const) {
    const held = side === "test";
    const tasks = new Set<bigint>();
    const counts = result[side];
    async function* pick(): AsyncGenerator<SampleChunk> {
      for await (const chunk of readRaw(o.input, o.schema, { format })) {
        const b = new SampleChunkBuilder(o.schema.dense.length, chunk.sparse.length, !!chunk.timestamp, Math.max(1, chunk.n));
        for (let i = 0; i < chunk.n; i++) {
          const key = chunk.task[i]!;
          if ((taskUniform(key, seed) < o.holdout) !== held) continue;
          tasks.add(key);
          b.appendRow(chunk, i);
        }
        counts.samples += b.n;
        if (b.n > 0) yield b.build();
      }
    }
    await writeRawFile(held ? o.test : o.train, o.schema, pick(), o.format ?? formatOf(held ? o.test : o.train));
    counts.tasks = tasks.size;
  }
  return result;
}
