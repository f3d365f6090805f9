import type { Tensor } from "./Tensor.js";

/** Tensors created inside each open `tidy` scope, innermost last. */
const scopes: (Set<Tensor> | null)[] = [];

/** Called by every tensor constructor: the innermost scope owns the new tensor. */
export function track(t: Tensor): void {
  scopes[scopes.length - 1]?.add(t);
}

/** Moves `t` out of the current scope so that the scope's end does not dispose it. */
export function keep<T extends Tensor>(t: T): T {
  const inner = scopes[scopes.length - 1];
  if (inner?.delete(t)) scopes[scopes.length - 2]?.add(t);
  return t;
}

/**
 * Runs `fn` with scope tracking suspended: the tensors it creates belong to no `tidy`
 * scope (long-lived state such as optimizer moments).
 */
export function untracked<T>(fn: () => T): T {
  scopes.push(null);
  try {
    return fn();
  } finally {
    scopes.pop();
  }
}

/**
 * Runs `fn` and returns its result with every tensor created meanwhile, none disposed: for
 * an owner that keeps a result together with the intermediates its autograd graph needs, and
 * frees them all later (a tidy scope would free the intermediates at once). If `fn` throws,
 * what it created is freed.
 */
export function captureTensors<T>(fn: () => T): { result: T; created: Tensor[] } {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const t of scope) t.dispose();
    throw e;
  }
  scopes.pop();
  return { result, created: [...scope] };
}

function collect(x: unknown, out: Set<Tensor>, seen: Set<unknown>): void {
  if (x === null || typeof x !== "object" || seen.has(x)) return;
  seen.add(x);
  if (isTensor(x)) {
    out.add(x);
    return;
  }
  if (Array.isArray(x)) {
    for (const v of x) collect(v, out, seen);
    return;
  }
  if (x instanceof Map) {
    for (const v of x.values()) collect(v, out, seen);
    return;
  }
  if (Object.getPrototypeOf(x) === Object.prototype) {
    for (const v of Object.values(x as Record<string, unknown>)) collect(v, out, seen);
  }
}

/** The tensors in `x` (itself, or inside its arrays, plain objects and maps). */
export function tensorsIn(x: unknown): Set<Tensor> {
  const out = new Set<Tensor>();
  collect(x, out, new Set());
  return out;
}

let isTensor: (x: unknown) => x is Tensor = (_x): _x is Tensor => false;
/** Set by Tensor.ts to break the import cycle. */
export function setTensorCheck(f: (x: unknown) => x is Tensor): void {
  isTensor = f;
}

/**
 * Runs `fn` and disposes every tensor it created, except the tensors in its result
 * (found in arrays, plain objects and maps), which move to the enclosing scope.
 * @example const loss = tidy(() => bceWithLogits(mlp(params, x), y));
 */
export function tidy<T>(fn: () => T): T {
  const { result, created } = captureTensors(fn);
  if (result instanceof Promise) {
    throw new Error("tidy: expected a synchronous function for fn, got one that returned a Promise");
  }
  // A tensor created here and kept moves to the nearest tracking scope, or is untracked.
  const kept = new Set<Tensor>();
  collect(result, kept, new Set());
  const parent = scopes[scopes.length - 1];
  for (const t of created) {
    if (kept.has(t)) parent?.add(t);
    else t.dispose();
  }
  return result;
}
