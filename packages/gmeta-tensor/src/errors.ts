/**
 * The one shape of argument errors: `<op>: expected <what> for <name>, got <what>`.
 * Thrown from TypeScript before any native code runs.
 */
export function argError(op: string, expected: string, name: string, got: string): Error {
  return new Error(`${op}: expected ${expected} for ${name}, got ${got}`);
}

/** Formats a shape the way error messages print it: [2, 3]. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}
