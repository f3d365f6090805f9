import type { Tensor } from "./Tensor.js";

/** Tensors created inside each open `tidy` scope, innermost last. */
const scopes: (Set<Tensor> | null)[] = [];

/** Called by every tensor constructor: the innermost scope owns the new tensor. */
export function track(t: Tensor): void {
  scopes[scopes.length - 1]?.add(t);
  if (watchers.size > 0) for (const w of watchers) w(t);
}

const watchers = new Set<(t: Tensor) => void>();

/**
 * @internal Calls `fn` with every tensor created until the returned function is called: for
 * tests that prove no tensor of a step is left to the garbage collector.
 */
export function watchTensors(fn: (t: Tensor) => void): () => void {
  watchers.add(fn);
  return () => watchers.delete(fn);
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

/**
 * An owner of tensors across awaits: what `run` creates (synchronously), what `adopt` is
 * handed, and what `tidyAsync` is given, all freed by one `dispose()`. The module's scope
 * stack only holds while code runs synchronously; a Scope is the explicit handle that
 * survives an `await` (a lookup session's arena, one async step's temporaries).
 * @example const s = new Scope(); const y = s.run(() => mul(x, 2)); await send(y); s.dispose();
 */
export class Scope {
  private owned = new Set<Tensor>();
  private closed = false;

  /** Runs `fn` synchronously; every tensor it creates (kept by inner tidy scopes too) joins this scope. */
  run<T>(fn: () => T): T {
    this.assertOpen("Scope.run");
    scopes.push(this.owned);
    try {
      const r = fn();
      if (r instanceof Promise) throw new Error("Scope.run: expected a synchronous function for fn, got one that returned a Promise (await outside run)");
      return r;
    } finally {
      scopes.pop();
    }
  }

  /** Hands tensors made elsewhere (an async collective's result) to this scope; returns the first. */
  adopt<T extends Tensor>(t: T, ...more: Tensor[]): T {
    this.assertOpen("Scope.adopt");
    this.owned.add(t);
    for (const m of more) this.owned.add(m);
    return t;
  }

  /** Takes `t` out of the scope: its dispose() is the caller's again. */
  release<T extends Tensor>(t: T): T {
    this.owned.delete(t);
    return t;
  }

  /** Whether dispose() has run. */
  get disposed(): boolean {
    return this.closed;
  }

  /** Frees every tensor of the scope; later run / adopt calls throw. */
  dispose(): void {
    this.closed = true;
    for (const t of this.owned) t.dispose();
    this.owned.clear();
  }

  private assertOpen(op: string): void {
    if (this.closed) throw new Error(`${op}: expected an open scope, got one already disposed`);
  }
}

/**
 * `tidy` for async code: `fn` gets a Scope for the tensors it makes between awaits
 * (`scope.run`) and receives (`scope.adopt`); when it settles, every tensor of the scope
 * is freed except those in its result (arrays, plain objects, maps), which become the caller's.
 * @example const rows = await tidyAsync(async (s) => { const r = await exchange(s.run(() => pack(x))); return s.adopt(r); });
 */
export async function tidyAsync<T>(fn: (scope: Scope) => Promise<T>): Promise<T> {
  const scope = new Scope();
  try {
    const result = await fn(scope);
    const kept = new Set<Tensor>();
    collect(result, kept, new Set());
    for (const t of kept) scope.release(t);
    return result;
  } finally {
    scope.dispose();
  }
}
