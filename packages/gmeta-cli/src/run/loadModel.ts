import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Manifest } from "@gmeta/io";
import type { MetaModel, ModelFactory } from "@gmeta/maml";
import { createChecked, defaultSlots, modelFactory, registeredModels } from "@gmeta/maml";
import { UsageError } from "../args.js";
import type { TrainConfig } from "../config.js";

/** A model spec that names a file rather than a package or a built-in model. */
export function isModelPath(spec: string): boolean {
  return spec.startsWith("./") || spec.startsWith("../") || spec.startsWith("/") || /\.(c|m)?js$/.test(spec);
}

/** The spec as a config records it: paths made absolute (ranks and later commands may run elsewhere). */
export function modelSpecForConfig(spec: string, cwd = process.cwd()): string {
  return isModelPath(spec) && !isAbsolute(spec) ? resolve(cwd, spec) : spec;
}

const loaded = new Map<string, ModelFactory>();

// Node's node_modules lookup from `from` upwards, then the package's ESM entry (exports'
// "import" or "default", else module / main), so a dual package is loaded as ESM like the CLI.
function packageEntry(name: string, from: string): string | null {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const pkgDir = join(dir, "node_modules", name);
    if (existsSync(join(pkgDir, "package.json"))) {
      const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")) as Record<string, unknown>;
      const pick = (e: unknown): string | null => {
        if (typeof e === "string") return e;
        if (typeof e !== "object" || e === null) return null;
        const o = e as Record<string, unknown>;
        if ("." in o) return pick(o["."]);
        return pick(o.import) ?? pick(o.default) ?? pick(o.node) ?? pick(o.require);
      };
      const entry = pick(pkg.exports) ?? (pkg.module as string | undefined) ?? (pkg.main as string | undefined) ?? "index.js";
      return join(pkgDir, entry);
    }
    if (dirname(dir) === dir) return null;
  }
}

function factoryOf(mod: Record<string, unknown>): ModelFactory | null {
  const def = mod.default as Record<string, unknown> | ((...a: unknown[]) => unknown) | undefined;
  const f = mod.createModel ?? (typeof def === "object" && def !== null ? def.createModel : undefined) ?? (typeof def === "function" ? def : undefined);
  return typeof f === "function" ? (f as ModelFactory) : null;
}

/**
 * Makes the model of `spec` available to {@link buildModel}: a built-in name, an npm package
 * (looked up from `cwd` as Node does) or a path to an ESM or CJS module; the module exports
 * `createModel` (named, or on its default export). Errors name the spec and every way out.
 */
export async function loadModel(spec: string, command = "train", cwd = process.cwd()): Promise<void> {
  if (loaded.has(spec)) return;
  const builtin = modelFactory(spec);
  if (builtin) {
    loaded.set(spec, builtin);
    return;
  }
  const where = isModelPath(spec) ? resolve(cwd, spec) : packageEntry(spec, cwd);
  const ways = `use one of ${registeredModels().map((n) => `"${n}"`).join(", ")}, a path to a module (./my-model.js), or an npm package installed under ${cwd}`;
  if (!where || !existsSync(where)) {
    throw new UsageError(`gmeta ${command}: --model ${spec}: ${isModelPath(spec) ? `no such file${where === spec ? "" : ` ${where}`}` : "no such package (not a built-in model either)"}; ${ways}`);
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(where).href)) as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(`gmeta ${command}: --model ${spec}: cannot load ${where}: ${(e as Error).message}`);
  }
  const f = factoryOf(mod);
  if (!f) throw new UsageError(`gmeta ${command}: --model ${spec}: expected a function createModel({ manifest, denseDim, embeddingDim, slots, options }) exported by ${where}, got exports [${Object.keys(mod).join(", ")}]`);
  loaded.set(spec, f);
}

/** The model of a config over a dataset (its model loaded first with {@link loadModel}). */
export function buildModel(cfg: TrainConfig, m: Manifest): MetaModel {
  const factory = loaded.get(cfg.model);
  if (!factory) throw new Error(`buildModel: model ${JSON.stringify(cfg.model)} is not loaded (call loadModel first)`);
  // The built-ins' widths come from the config's own keys unless modelOptions names them.
  const builtin = modelFactory(cfg.model) === factory;
  const options = { ...(builtin ? { bottom: cfg.bottom, top: cfg.top, hidden: cfg.hidden } : {}), ...(cfg.modelOptions ?? {}) };
  return createChecked(factory, { manifest: m, denseDim: m.denseDim, embeddingDim: cfg.embeddingDim, slots: defaultSlots(m), options }, cfg.model);
}
