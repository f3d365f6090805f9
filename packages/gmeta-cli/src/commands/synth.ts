import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { synthesize } from "@gmeta/io";
import type { SynthesizeOptions } from "@gmeta/io";
import { parse, reader } from "../args.js";
import { status } from "../progress.js";

export const SYNTH_HELP = `gmeta synth: write synthetic cold-start CTR samples with real task structure

Usage: gmeta synth --out FILE [options]

  --out FILE          output file; .csv, .arrow or .parquet picks the format
  --format F          csv | arrow | parquet (overrides the extension)
  --users N           users (= tasks) (default 2000)
  --items N           items, Zipf popularity (default 1000)
  --categories N      item categories (default 20)
  --samples MIN,MAX   samples per user; most users are cold (default 8,120)
  --dense D           dense features (default 4)
  --seed S            same seed, same bytes (default 1)

Prints the oracle AUC of the true click probabilities: the ceiling for any model.`;

/** What `gmeta synth` passes to the generator. */
export type SynthArgs = Omit<SynthesizeOptions, "zipf" | "segments">;

export function synthArgs(argv: string[]): SynthArgs | null {
  const { values } = parse("synth", argv, {
    out: { type: "string" }, format: { type: "string" }, users: { type: "string" }, items: { type: "string" },
    categories: { type: "string" }, samples: { type: "string" }, dense: { type: "string" }, seed: { type: "string" },
  });
  if (values.help) return null;
  const r = reader("synth", values);
  const format = values.format === undefined ? undefined : r.choice("format", ["csv", "arrow", "parquet"] as const, "arrow");
  return {
    out: r.req("out"),
    ...(format ? { format } : {}),
    users: r.int("users", 2000, 1),
    items: r.int("items", 1000, 1),
    categories: r.int("categories", 20, 1),
    samplesPerUser: r.range("samples", [8, 120]),
    dense: r.int("dense", 4, 0),
    seed: r.int("seed", 1, 0),
  };
}

export async function runSynth(a: SynthArgs) {
  mkdirSync(dirname(resolve(a.out)), { recursive: true });
  const res = await synthesize({ ...a });
  status(`wrote ${res.samples} samples of ${res.users} users to ${res.file} (${res.format}); positives ${(100 * res.positives / res.samples).toFixed(1)}%; oracle AUC ${res.oracleAuc.toFixed(4)}`);
  return res;
}

export async function synthCommand(argv: string[]): Promise<number> {
  const a = synthArgs(argv);
  if (!a) {
    console.log(SYNTH_HELP);
    return 0;
  }
  await runSynth(a);
  return 0;
}
