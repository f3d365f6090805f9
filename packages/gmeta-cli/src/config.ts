import { readFileSync } from "node:fs";
import { explainFsError, parseJsonText } from "@gmeta/io";
import { UsageError } from "./args.js";
import { DEFAULTS, trainConfigSchema, type TrainConfig } from "./schemas/trainConfig.js";

export { CHOICES, DEFAULTS, trainConfigSchema, type TrainConfig } from "./schemas/trainConfig.js";

const valueAt = (c: unknown, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>((v, k) => (v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined), c);

/**
 * Checks a whole config and returns a new, validated one (the input is left as it was);
 * `where` names its source in messages (a file or "flags"), `command` the gmeta command whose
 * input it is.
 */
export function validateConfig(c: Readonly<Record<string, unknown>>, where: string, command = "train"): TrainConfig {
  const r = trainConfigSchema.safeParse(c);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  if (issue.code === "unrecognized_keys") {
    const known = Object.keys(trainConfigSchema.shape);
    throw new UsageError(`gmeta ${command}: ${where}: unknown key ${JSON.stringify(issue.keys[0])} (known: ${known.join(", ")})`);
  }
  const key = issue.path.map(String).join(".");
  const got = valueAt(c, issue.path);
  throw new UsageError(`gmeta ${command}: ${where}: expected ${issue.message} for ${key}, got ${got === undefined ? "nothing" : JSON.stringify(got)}`);
}

/** The defaults with `over` on top: a full config to validate. */
export function withDefaults(over: Record<string, unknown>): Record<string, unknown> {
  return { ...DEFAULTS, ...over };
}

/** Reads a JSON config file (any subset of TrainConfig). */
export function readConfigFile(file: string, command = "train"): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const err = explainFsError(e, file, "read the config");
    throw new UsageError(`gmeta ${command}: --config ${err instanceof Error ? err.message : String(err)}`);
  }
  let v: unknown;
  try {
    v = parseJsonText(text, file);
  } catch (e) {
    throw new UsageError(`gmeta ${command}: --config ${(e as Error).message}`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new UsageError(`gmeta ${command}: --config ${file}: expected a JSON object, got ${JSON.stringify(v)?.slice(0, 40)}`);
  return v as Record<string, unknown>;
}
