import { auc } from "./auc.js";
import { formatOf, type RawFormat } from "./rawFormat.js";
import type { RawSchema } from "./rawSchema.js";
import { writeRawFile } from "./rawWriter.js";
import { Rng } from "./rng.js";
import { SampleChunkBuilder, type SampleChunk } from "./sampleChunk.js";

/** Options of {@link synthesize}. */
export interface SynthesizeOptions {
  users: number;
  items: number;
  categories: number;
  /** Inclusive [min, max] samples per user; counts lean to the minimum, so most users are cold. */
  samplesPerUser: [number, number];
  /** Number of dense float features. */
  dense: number;
  seed: number;
  /** Output file; its extension picks the format unless `format` is given. */
  out: string;
  format?: RawFormat;
  /** Zipf exponent of item popularity (default 1.05). */
  zipf?: number;
  /** Number of user segments whose means user preferences scatter around (default 8). */
  segments?: number;
}

/** What {@link synthesize} wrote. */
export interface SynthesizeResult {
  file: string;
  format: RawFormat;
  schema: RawSchema;
  samples: number;
  users: number;
  positives: number;
  /** AUC of the true click probabilities against the drawn labels: the ceiling for any model. */
  oracleAuc: number;
  /** Vocabulary size per sparse slot (ids are in [0, size)). */
  vocab: Record<string, number>;
}

const LATENT = 8;
const CHUNK = 65536;

/** The raw schema of synthetic data with `dense` dense features. */
export function syntheticSchema(dense: number): RawSchema {
  return {
    taskKey: "user",
    label: "click",
    dense: Array.from({ length: dense }, (_, j) => `d${j}`),
    sparse: [{ name: "item" }, { name: "category" }, { name: "tags", list: true }],
    timestamp: "ts",
  };
}

/**
 * Writes synthetic cold-start CTR samples with real task structure (users are tasks) and
 * their true click probabilities (column `p_true`); the same seed gives the same bytes.
 * @example await synthesize({ users: 1000, items: 500, categories: 20, samplesPerUser: [10, 200], dense: 4, seed: 1, out: "raw.arrow" })
 */
export async function synthesize(options: SynthesizeOptions): Promise<SynthesizeResult> {
  const { users, items, categories, dense: D, seed, out } = options;
  const [minS, maxS] = options.samplesPerUser;
  const check = (ok: boolean, what: string, got: unknown): void => {
    if (!ok) throw new Error(`synthesize: expected ${what}, got ${JSON.stringify(got)}`);
  };
  check(Number.isInteger(users) && users > 0, "a positive integer for users", users);
  check(Number.isInteger(items) && items > 0, "a positive integer for items", items);
  check(Number.isInteger(categories) && categories > 0, "a positive integer for categories", categories);
  check(Number.isInteger(D) && D >= 0, "an integer ≥ 0 for dense", D);
  check(Number.isInteger(minS) && Number.isInteger(maxS) && minS >= 1 && maxS >= minS, "[min, max] with 1 ≤ min ≤ max for samplesPerUser", options.samplesPerUser);
  const format = options.format ?? formatOf(out);
  const schema = syntheticSchema(D);
  const rng = new Rng(seed, 1);
  const segments = options.segments ?? 8;
  const tagsVocab = categories * 2;

  const segMean = gaussianRows(rng, segments, LATENT, 1);
  const catVec = gaussianRows(rng, categories, LATENT, 1);
  const itemVec = new Float64Array(items * LATENT);
  const itemBias = new Float64Array(items);
  const itemCat = new Int32Array(items);
  const itemTags: number[][] = [];
  for (let i = 0; i < items; i++) {
    const c = rng.int(categories);
    itemCat[i] = c;
    for (let k = 0; k < LATENT; k++) itemVec[i * LATENT + k] = catVec[c * LATENT + k]! + 0.6 * rng.normal();
    itemBias[i] = 0.3 * rng.normal();
    const nt = 1 + rng.int(3);
    const tags = new Set<number>();
    while (tags.size < nt) tags.add(rng.int(tagsVocab));
    itemTags.push([...tags].sort((a, b) => a - b));
  }
  const cdf = zipfCdf(items, options.zipf ?? 1.05);
  const wDense = Float64Array.from({ length: D }, () => 0.4 * rng.normal());

  const labels: number[] = [];
  const probs: number[] = [];
  let positives = 0;
  const pref = new Float64Array(LATENT);
  const x = new Float64Array(D);

  function* chunks(): Generator<SampleChunk> {
    const b = new SampleChunkBuilder(D, 3, true, CHUNK);
    let p: number[] = [];
    for (let u = 0; u < users; u++) {
      const seg = rng.int(segments);
      for (let k = 0; k < LATENT; k++) pref[k] = segMean[seg * LATENT + k]! + 0.7 * rng.normal();
      const userBias = 0.5 * rng.normal();
      const n = minS + Math.floor((maxS - minS + 1) * Math.pow(rng.uniform(), 3));
      let t = 1_600_000_000 + rng.int(86_400 * 30);
      for (let s = 0; s < n; s++) {
        const item = sampleCdf(cdf, rng.uniform());
        let dot = 0;
        for (let k = 0; k < LATENT; k++) dot += pref[k]! * itemVec[item * LATENT + k]!;
        let logit = (1.2 * dot) / Math.sqrt(LATENT) + userBias + itemBias[item]! - 0.8 + 0.3 * rng.normal();
        t += 1 + rng.int(3600);
        for (let j = 0; j < D; j++) {
          x[j] = Math.fround(rng.normal());
          logit += wDense[j]! * x[j]!;
        }
        const prob = 1 / (1 + Math.exp(-logit));
        const y = rng.uniform() < prob ? 1 : 0;
        b.begin(BigInt(u), y, t);
        for (let j = 0; j < D; j++) b.setDense(j, x[j]!);
        b.pushId(0, BigInt(item));
        b.pushId(1, BigInt(itemCat[item]!));
        for (const tag of itemTags[item]!) b.pushId(2, BigInt(tag));
        b.end();
        labels.push(y);
        probs.push(prob);
        p.push(prob);
        positives += y;
        if (b.n === CHUNK) {
          yield { ...b.build(), extra: { p_true: Float64Array.from(p) } };
          b.reset();
          p = [];
        }
      }
    }
    if (b.n > 0) yield { ...b.build(), extra: { p_true: Float64Array.from(p) } };
  }

  await writeRawFile(out, schema, chunks(), format);
  return {
    file: out,
    format,
    schema,
    samples: labels.length,
    users,
    positives,
    oracleAuc: auc(labels, probs),
    vocab: { item: items, category: categories, tags: tagsVocab },
  };
}

function gaussianRows(rng: Rng, rows: number, cols: number, scale: number): Float64Array {
  const a = new Float64Array(rows * cols);
  for (let i = 0; i < a.length; i++) a[i] = scale * rng.normal();
  return a;
}

function zipfCdf(n: number, s: number): Float64Array {
  const cdf = new Float64Array(n);
  let acc = 0;
  for (let i = 0; i < n; i++) {
    acc += 1 / Math.pow(i + 1, s);
    cdf[i] = acc;
  }
  for (let i = 0; i < n; i++) cdf[i]! /= acc;
  return cdf;
}

function sampleCdf(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid]! < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
