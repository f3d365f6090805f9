import type { Manifest } from "@gmeta/io";
import { MeLU } from "./MeLU.js";
import { MetaDLRM } from "./MetaDLRM.js";
import type { MetaModel, SlotSpec } from "./MetaModel.js";

/**
 * What a model factory is given: the prepared dataset it will train on, the embedding width of
 * every table, one slot per sparse column of the dataset (in manifest order; the model keeps
 * that order and may change only the pooling), and the options of the run's `modelOptions`.
 */
export interface ModelContext {
  manifest: Pick<Manifest, "denseDim" | "slots">;
  denseDim: number;
  embeddingDim: number;
  slots: SlotSpec[];
  options: Readonly<Record<string, unknown>>;
}

/** Builds a MetaModel; a plugin module exports one as `createModel` (or as its default export's). */
export type ModelFactory = (context: ModelContext) => MetaModel;

const registry = new Map<string, ModelFactory>();

/** Makes `factory` available under `name` (a name used by `--model NAME`); a name is registered once. */
export function registerModel(name: string, factory: ModelFactory): void {
  if (typeof name !== "string" || !/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`registerModel: expected a lower-case name for name, got ${JSON.stringify(name)}`);
  if (typeof factory !== "function") throw new Error(`registerModel: expected a function for factory, got ${typeof factory}`);
  if (registry.has(name) && registry.get(name) !== factory) throw new Error(`registerModel: expected a new name for name, got ${JSON.stringify(name)} (already registered)`);
  registry.set(name, factory);
}

/** The factory registered under `name`, or undefined. */
export function modelFactory(name: string): ModelFactory | undefined {
  return registry.get(name);
}

/** Names of the registered models, built-in ones first. */
export function registeredModels(): string[] {
  return [...registry.keys()];
}

/** One slot per dataset column: a table per column, bags of a list column averaged. */
export function defaultSlots(manifest: Pick<Manifest, "slots">): SlotSpec[] {
  return manifest.slots.map((s) => ({ name: s.name, table: s.name, pooling: s.list ? "mean" : "sum" }));
}

const widths = (options: Readonly<Record<string, unknown>>, key: string): number[] | undefined => {
  const v = options[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((x) => Number.isSafeInteger(x) && x > 0)) {
    throw new Error(`model: expected a list of positive integers for modelOptions.${key}, got ${JSON.stringify(v)}`);
  }
  return v as number[];
};

// The built-in models go through the same door as plugins.
registerModel("dlrm", (c) => {
  const bottom = widths(c.options, "bottom");
  const top = widths(c.options, "top");
  return new MetaDLRM({ denseDim: c.denseDim, slots: c.slots, embeddingDim: c.embeddingDim, ...(bottom ? { bottom } : {}), ...(top ? { top } : {}) });
});
registerModel("melu", (c) => {
  const hidden = widths(c.options, "hidden");
  return new MeLU({ denseDim: c.denseDim, slots: c.slots, embeddingDim: c.embeddingDim, ...(hidden ? { hidden } : {}) });
});

/**
 * Builds a model with `factory` and checks that it fits the context: its slots are the
 * dataset's in order, its widths are the context's, and its parameters are well formed.
 * `source` names the factory in messages (a model name, a package or a file).
 */
export function createChecked(factory: ModelFactory, context: ModelContext, source: string): MetaModel {
  const model = factory(context);
  const bad = (what: string, name: string, got: unknown): never => {
    throw new Error(`model ${source}: expected ${what} for ${name}, got ${typeof got === "string" ? got : JSON.stringify(got)}`);
  };
  if (typeof model !== "object" || model === null) bad("a MetaModel object", "the factory's result", model === null ? "null" : typeof model);
  if (typeof model.name !== "string" || !model.name) bad("a non-empty string", "name", model.name);
  if (typeof model.forward !== "function") bad("a function", "forward", typeof model.forward);
  if (model.embeddingDim !== context.embeddingDim) bad(`${context.embeddingDim} (the run's embeddingDim)`, "embeddingDim", model.embeddingDim);
  if (model.denseDim !== context.denseDim) bad(`${context.denseDim} (the dataset's dense width)`, "denseDim", model.denseDim);
  if (!Array.isArray(model.slots) || model.slots.length !== context.slots.length) {
    bad(`${context.slots.length} slots (one per sparse column of the dataset)`, "slots", Array.isArray(model.slots) ? `${model.slots.length} slots` : model.slots);
  }
  const tables = new Set(context.slots.map((s) => s.table));
  model.slots.forEach((s, i) => {
    if (!s || !tables.has(s.table)) bad(`one of the tables ${[...tables].map((t) => `"${t}"`).join(", ")}`, `slots[${i}].table`, s?.table);
    if (s.pooling !== "sum" && s.pooling !== "mean") bad('"sum" or "mean"', `slots[${i}].pooling`, s.pooling);
  });
  if (!Array.isArray(model.params) || model.params.length === 0) bad("a non-empty list of ParamSpec", "params", model.params);
  const seen = new Set<string>();
  model.params.forEach((p, i) => {
    if (!p || typeof p.name !== "string" || !p.name || seen.has(p.name)) bad("a unique non-empty name", `params[${i}].name`, p?.name);
    seen.add(p.name);
    if (!Array.isArray(p.shape) || p.shape.length === 0 || !p.shape.every((d) => Number.isSafeInteger(d) && d > 0)) bad("a list of positive sizes", `params[${i}].shape (${p.name})`, p.shape);
    if (!["kaiming", "xavier", "zeros"].includes(p.init)) bad('"kaiming", "xavier" or "zeros"', `params[${i}].init (${p.name})`, p.init);
  });
  return model;
}
