/** The one shape of argument errors: `<op>: expected <what> for <name>, got <what>`. */
export function argError(op: string, expected: string, name: string, got: string): Error {
  return new Error(`${op}: expected ${expected} for ${name}, got ${got}`);
}

/** A short description of a value for error messages. */
export function describe(x: unknown): string {
  if (x === null) return "null";
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name} of length ${(x as unknown as ArrayLike<unknown>).length}`;
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (typeof x === "string") return JSON.stringify(x);
  if (typeof x === "object") return "an object";
  return `${typeof x} ${String(x)}`;
}
