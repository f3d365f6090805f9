import { isAbsolute, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { DecodedBatch } from "./decodePool.js";

/**
 * A module the loader runs on every decoded batch where it decodes: inside its worker threads
 * (on the calling thread with `workers: 0`), so the work overlaps the consumer's step. The
 * output comes with the batch as `batch.prepared`; its typed arrays travel by transfer.
 */
export interface BatchTransformSpec {
  /** An ES module, as a file URL or a path (relative to the working directory), exporting `createBatchTransform`. */
  module: string;
  /** Given to `createBatchTransform` once per thread: plain JSON (it crosses threads). */
  options?: unknown;
}

/** Where a batch sits, for the transform and its error messages. */
export interface BatchPlace {
  epoch: number;
  /** Position of the batch in the epoch. */
  index: number;
  rank: number;
}

/**
 * The transform: a decoded batch (its arrays are views of one buffer) to any
 * structured-cloneable value, whose typed arrays are its own or the batch's (their buffers
 * are transferred).
 */
export type BatchTransform = (batch: DecodedBatch, place: BatchPlace) => unknown;

/** What a transform module exports as `createBatchTransform`. */
export type CreateBatchTransform = (options: unknown) => BatchTransform | Promise<BatchTransform>;

/** The spec checked, its module as a file URL and its options as a JSON copy. */
export function checkTransformSpec(spec: unknown): BatchTransformSpec {
  const bad = (what: string, name: string, got: string) => new Error(`loader: expected ${what} for ${name}, got ${got}`);
  if (typeof spec !== "object" || spec === null) throw bad("{ module, options }", "transform", String(spec));
  const { module, options } = spec as BatchTransformSpec;
  if (typeof module !== "string" || module === "") throw bad("a module path or file URL", "transform.module", JSON.stringify(module));
  let url: string;
  if (module.startsWith("file:")) url = module;
  else if (/^[a-z][a-z0-9+.-]*:/i.test(module) && !isAbsolute(module)) throw bad("a module path or file URL", "transform.module", JSON.stringify(module));
  else url = pathToFileURL(resolve(module)).href;
  let json: string | undefined;
  try {
    json = JSON.stringify(options);
  } catch (e) {
    throw bad("plain JSON", "transform.options", `a value JSON cannot hold (${(e as Error).message})`);
  }
  return { module: url, options: json === undefined ? undefined : JSON.parse(json) };
}

/** Imports the transform module and makes its transform; failures name the module and what it must export. */
export async function loadBatchTransform(spec: BatchTransformSpec): Promise<BatchTransform> {
  const file = fileURLToPath(spec.module);
  try {
    // A TypeScript module (sources, tests) loads through tsx's hooks, registered in this thread.
    if (/\.[cm]?ts$/.test(file)) {
      // Not a literal: bundlers must leave tsx (a development tool) out of the build.
      const tsx = "tsx/esm/api";
      const api = (await import(tsx).catch(() => null)) as { register(): void } | null;
      if (!api) throw new Error("it is TypeScript and tsx is not installed: build it to JavaScript, or install tsx");
      registerTsx(api);
    }
    const mod = (await import(spec.module)) as { createBatchTransform?: unknown };
    if (typeof mod.createBatchTransform !== "function") {
      throw new Error(`it exports no function createBatchTransform(options) (exports: ${Object.keys(mod).join(", ") || "none"})`);
    }
    const t: unknown = await (mod.createBatchTransform as CreateBatchTransform)(spec.options);
    if (typeof t !== "function") throw new Error(`createBatchTransform(options) returned ${typeof t}, not a function`);
    return t as BatchTransform;
  } catch (e) {
    throw new Error(`loader: cannot load the batch transform ${file}: ${(e as Error).message}`);
  }
}

let tsxRegistered = false;
function registerTsx(api: { register(): void }): void {
  if (tsxRegistered) return;
  api.register();
  tsxRegistered = true;
}

/** Runs the transform on one batch; an error names the module, the batch and the part files it read. */
export function applyBatchTransform(t: BatchTransform, spec: BatchTransformSpec, batch: DecodedBatch, place: BatchPlace, files: readonly string[]): unknown {
  try {
    return t(batch, place);
  } catch (e) {
    const err = e as Error;
    const file = fileURLToPath(spec.module);
    // The frame inside the module says where, without the loader's own frames.
    const at = String(err?.stack ?? "").split("\n").find((l) => l.includes(spec.module) || l.includes(file))?.trim();
    throw new Error(
      `loader: batch transform ${file} failed on batch ${place.index} of epoch ${place.epoch} (rank ${place.rank}; parts ${files.join(", ")}): ${err?.message ?? String(e)}${at ? ` (${at})` : ""}`,
    );
  }
}

/** The buffers of every typed array in a value (each once; shared memory stays shared), to transfer with it. */
export function transferables(value: unknown, skip?: ArrayBufferLike): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  const seen = new Set<object>();
  const visit = (v: unknown): void => {
    if (typeof v !== "object" || v === null || seen.has(v)) return;
    seen.add(v);
    if (ArrayBuffer.isView(v)) {
      if (v.buffer instanceof ArrayBuffer && v.buffer !== skip) out.add(v.buffer);
      return;
    }
    if (v instanceof ArrayBuffer) {
      if (v !== skip) out.add(v);
      return;
    }
    for (const x of Array.isArray(v) ? v : v instanceof Map ? [...v.keys(), ...v.values()] : Object.values(v)) visit(x);
  };
  visit(value);
  return [...out];
}
