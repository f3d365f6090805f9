/** Builds the project's argument error: `<op>: expected <what> for <name>, got <got>`. */
export function invalidArgument(op: string, what: string, name: string, got: unknown): Error {
  return new TypeError(`${op}: expected ${what} for ${name}, got ${describe(got)}`);
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  if (typeof v === "object") return `a ${(v as object).constructor?.name ?? "object"}`;
  return typeof v === "string" ? JSON.stringify(v) : `${typeof v} ${String(v)}`;
}

/**
 * Awaits a native promise and, when it rejects, rethrows with the stack of the JS call that
 * started it: the native error alone only says where in C++ it failed.
 */
export async function withCallSite<T>(p: Promise<T>, site: Error): Promise<T> {
  try {
    return await p;
  } catch (e) {
    const err = new Error(e instanceof Error ? e.message : String(e));
    err.stack = `Error: ${err.message}\n${(site.stack ?? "").split("\n").slice(1).join("\n")}`;
    throw err;
  }
}
