/** Median, min and max of timing samples in seconds. */
export interface Stats {
  median: number;
  min: number;
  max: number;
}

export function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s[s.length - 1]! };
}

/** Runs fn `warmup` times, then times it `iters` times (seconds per call). */
export function time(fn: () => void, iters: number, warmup = 2): Stats {
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < iters; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return stats(samples);
}

export interface Row {
  what: string;
  unit: string;
  figure: number;
  spread: string;
  reference: number;
  refName: string;
  target: string;
  /** figure / reference for rates; reference / figure when lower is better. */
  ratio: number;
}

/** Prints the benchmark table: figure, reference measured in the same run, ratio, target. */
export function printTable(title: string, rows: Row[]): void {
  const head = ["benchmark", "figure", "spread (min–max)", "reference", "ratio", "target"];
  const body = rows.map((r) => [
    r.what,
    `${r.figure.toFixed(2)} ${r.unit}`,
    r.spread,
    `${r.reference.toFixed(2)} ${r.unit} (${r.refName})`,
    r.ratio.toFixed(2),
    r.target,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
  console.log(`\n${title}`);
  console.log(line(head));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const b of body) console.log(line(b));
}
