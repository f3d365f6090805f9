import { parseArgs } from "node:util";

/** A failure the user caused: printed as one line, exit status 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

export type Values = Record<string, string | boolean | string[] | undefined>;

export type OptionSpec = Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }>;

/** Parses `argv` strictly against `spec`; unknown options and stray arguments are usage errors. */
export function parse(cmd: string, argv: string[], spec: OptionSpec, allowPositionals = false): { values: Values; positionals: string[] } {
  try {
    const r = parseArgs({ args: argv, options: { ...spec, help: { type: "boolean", short: "h" } }, strict: true, allowPositionals });
    return { values: r.values as Values, positionals: r.positionals };
  } catch (e) {
    throw new UsageError(`gmeta ${cmd}: ${(e as Error).message.replace(/\. To specify a positional.*$/s, "")} (see gmeta ${cmd} --help)`);
  }
}

/** Prints a command's help when --help was given, and says so (the command then exits 0). */
export function printedHelp(values: Values, help: string): boolean {
  if (values.help) console.log(help);
  return values.help === true;
}

/** Typed readers of option values with the shared error shape. */
export function reader(cmd: string, values: Values) {
  const bad = (name: string, what: string, got: unknown) =>
    new UsageError(`gmeta ${cmd}: expected ${what} for --${name}, got ${JSON.stringify(got)}`);
  return {
    str(name: string, fallback?: string): string | undefined {
      const v = values[name];
      return typeof v === "string" ? v : fallback;
    },
    req(name: string): string {
      const v = values[name];
      if (typeof v !== "string" || v === "") throw new UsageError(`gmeta ${cmd}: --${name} is required (see gmeta ${cmd} --help)`);
      return v;
    },
    int(name: string, fallback: number, min = 0): number {
      const v = values[name];
      if (v === undefined) return fallback;
      const n = Number(v);
      if (typeof v !== "string" || !Number.isSafeInteger(n) || n < min) throw bad(name, `an integer >= ${min}`, v);
      return n;
    },
    num(name: string, fallback: number, check: (n: number) => boolean = Number.isFinite, what = "a number"): number {
      const v = values[name];
      if (v === undefined) return fallback;
      const n = Number(v);
      if (typeof v !== "string" || v.trim() === "" || !check(n)) throw bad(name, what, v);
      return n;
    },
    choice<T extends string>(name: string, options: readonly T[], fallback: T): T {
      const v = values[name];
      if (v === undefined) return fallback;
      if (typeof v !== "string" || !options.includes(v as T)) throw bad(name, options.map((o) => `"${o}"`).join(" | "), v);
      return v as T;
    },
    flag(name: string): boolean {
      return values[name] === true;
    },
    list(name: string): string[] {
      const v = values[name];
      return Array.isArray(v) ? v : typeof v === "string" ? [v] : [];
    },
    range(name: string, fallback: [number, number]): [number, number] {
      const v = values[name];
      if (v === undefined) return fallback;
      const m = typeof v === "string" ? /^(\d+)[,:-](\d+)$/.exec(v) : null;
      if (!m || Number(m[1]) < 1 || Number(m[2]) < Number(m[1])) throw bad(name, "MIN,MAX with 1 <= MIN <= MAX", v);
      return [Number(m[1]), Number(m[2])];
    },
  };
}
