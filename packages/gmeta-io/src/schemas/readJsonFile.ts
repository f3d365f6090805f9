import { readFileSync } from "node:fs";
import type { z } from "zod";
import { DataError } from "../dataError.js";
import { explainFsError } from "../fsError.js";

/** A project file that is not JSON or not of its schema; the message names the file and the field. */
export class FileFormatError extends DataError {
  override name = "FileFormatError";
  constructor(
    file: string,
    readonly field: string | undefined,
    what: string,
  ) {
    super({ file, ...(field !== undefined ? { column: field } : {}) }, what);
    this.message = `${file}${field !== undefined ? `, field "${field}"` : ""}: ${what}`;
  }
}

/** `a.b[2].c`, the way a user finds the field in the file. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let s = "";
  for (const k of path) s += typeof k === "number" ? `[${k}]` : s ? `.${String(k)}` : String(k);
  return s || "(the whole file)";
}

function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  const j = JSON.stringify(v);
  return j === undefined ? String(v) : j.length > 60 ? `${j.slice(0, 57)}...` : j;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const k of path) v = v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

/** Checks an already parsed value against `schema`; the error names the file and the first bad field. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, file: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const got = valueAt(value, issue.path);
  const more = r.error.issues.length > 1 ? ` (and ${r.error.issues.length - 1} more problem${r.error.issues.length > 2 ? "s" : ""})` : "";
  let msg = issue.message.replace(/^Invalid input: /, "").replace(/, received \w+$/, "");
  if (!/^(expected|Too|Unrecognized|Invalid)/.test(msg)) msg = `expected ${msg}`;
  const what = issue.code === "unrecognized_keys" ? issue.message : `${msg}, got ${describe(got)}`;
  throw new FileFormatError(file, fieldPath(issue.path), `${what}${more}`);
}

/** Parses JSON text; a truncated or damaged file is named with the position that broke it. */
export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new FileFormatError(file, undefined, `not valid JSON, damaged or truncated (${(e as Error).message})`);
  }
}

/** Reads `file` as JSON and checks it against `schema`; every failure names the file. */
export function readJsonFile<S extends z.ZodType>(file: string, schema: S): z.infer<S> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw explainFsError(e, file, "read");
  }
  return parseWith(schema, parseJsonText(text, file), file);
}
