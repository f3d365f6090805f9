import type { AnyTypedArray, DType } from "../dtype.js";
import { dtypeOfTypedArray } from "../dtype.js";
import type { Device } from "../device.js";
import { argError, fmtShape } from "../errors.js";
import { captureTensors, tensorsIn, untracked } from "../memory.js";
import type { NativeProgram, OpProfile, ProgramStats } from "../native/AddonTypes.js";
import { addon } from "../native/binding.js";
import { Tensor } from "../Tensor.js";
import { capture } from "./capture.js";

export interface CompileOptions {
  /** Shown in reasons and stats. */
  name?: string;
  /** False runs `fn` eagerly every time (the reference path); default true. */
  enabled?: boolean;
  /**
   * Replay once right after each capture and compare with the eager result, refusing the
   * program (with the difference as the reason) when they disagree; default true. Needs an
   * `fn` that does not update tensors made outside it.
   */
  verify?: boolean;
  /** Programs kept at once, least recently used dropped first; default 8. */
  maxPrograms?: number;
  /**
   * On a GPU, replay each program as one CUDA graph (captured at its first replay; programs
   * that cannot be captured replay op by op, `status()` says why). Default: on, unless the
   * environment sets GMETA_CUDA_GRAPHS=0.
   */
  cudaGraph?: boolean;
}

/**
 * An input given as host data: a replay writes it straight into the program's input slot, so
 * no tensor is made for it. The typed array's element type is the dtype.
 */
export interface HostInput {
  data: AnyTypedArray;
  shape: readonly number[];
  device?: Device;
  requiresGrad?: boolean;
}

/**
 * A tensor's rows followed by zero rows up to `rows` along axis 0 (a batch padded to its
 * shape bucket): a replay writes both into the program's slot, so no padded copy is made.
 * Gradients are those of the padded input.
 */
export interface PaddedInput {
  tensor: Tensor;
  rows: number;
}

/** What `run` takes: tensors, host data for the program to copy in, or tensors to pad. */
export type CompiledInput = Tensor | HostInput | PaddedInput;

/** How one shape signature runs. */
export interface SignatureStatus {
  signature: string;
  compiled: boolean;
  /** Why it runs eagerly, when it does. */
  reason?: string;
  runs: number;
  stats?: ProgramStats;
}

interface Entry {
  slots: Tensor[];
  program: NativeProgram | null;
  reason?: string;
  /** The outputs of the last run, owned here until the next run of this signature. */
  outputs: unknown;
  owned: Tensor[];
  runs: number;
}

/**
 * `fn` captured once per shape signature of its inputs and replayed natively afterwards:
 * no per-op JavaScript, allocation or garbage in the steady state. Runs that cannot be
 * captured fall back to eager with a reason (`status()`).
 *
 * Outputs belong to the compiled function and stay valid until the next `run` with the same
 * signature (or `dispose`); do not dispose them.
 * @example
 * const step = compile((x: Tensor[]) => grad([mse(mm(x[0], w), x[1])], [w]));
 * const [g] = step.run([x, y]);
 */
export class CompiledFunction<O> {
  readonly name: string;
  private readonly entries = new Map<string, Entry>();
  private readonly enabled: boolean;
  private readonly verify: boolean;
  private readonly maxPrograms: number;
  private readonly cudaGraph: boolean | undefined;
  private compiles = 0;
  private disposed = false;

  constructor(private readonly fn: (inputs: Tensor[]) => O, options: CompileOptions = {}) {
    this.name = options.name ?? (fn.name || "compiled");
    this.enabled = options.enabled ?? true;
    this.verify = options.verify ?? true;
    this.maxPrograms = options.maxPrograms ?? 8;
    this.cudaGraph = options.cudaGraph;
    if (this.cudaGraph !== undefined && typeof this.cudaGraph !== "boolean") {
      throw argError("compile", "a boolean", "cudaGraph", String(options.cudaGraph));
    }
    if (!Number.isInteger(this.maxPrograms) || this.maxPrograms < 1) {
      throw argError("compile", "a positive integer", "maxPrograms", String(options.maxPrograms));
    }
  }

  /** Captures made so far (one per new signature while compiling is on). */
  get captures(): number {
    return this.compiles;
  }

  /** Runs `fn` on `inputs`: a replay when this signature was captured, else eagerly. */
  run(inputs: readonly CompiledInput[], key = ""): O {
    if (this.disposed) throw new Error(`${this.name}: expected a live compiled function, got one after dispose()`);
    if (!Array.isArray(inputs)) throw argError(this.name, "an array of tensors", "inputs", typeof inputs);
    inputs.forEach((t, i) => checkInput(this.name, t, i));
    const sig = signature(inputs, key);
    let entry = this.entries.get(sig);
    if (!entry) return this.first(sig, inputs);
    this.entries.delete(sig);
    this.entries.set(sig, entry); // most recently used last
    entry.runs++;
    if (!entry.program) return this.eager(entry, inputs);
    inputs.forEach((t, i) => writeSlot(entry!.slots[i]!, t));
    entry.program.replay();
    return entry.outputs as O;
  }

  /** One line per signature: compiled or why not, runs, program counts. */
  status(): SignatureStatus[] {
    return [...this.entries].map(([signature, e]) => ({
      signature,
      compiled: e.program !== null,
      reason: e.reason,
      runs: e.runs,
      stats: e.program?.stats(),
    }));
  }

  /**
   * Replays the most recently used program once with every call timed (per op name); null
   * when the last run was eager.
   */
  profile(byShape = false): OpProfile[] | null {
    const last = [...this.entries.values()].pop();
    return last?.program ? last.program.profile(byShape) : null;
  }

  /** The tensors the programs own (input slots and outputs), which outlive each run by design. */
  heldTensors(): Set<Tensor> {
    const out = new Set<Tensor>();
    for (const e of this.entries.values()) for (const t of [...e.slots, ...e.owned]) out.add(t);
    return out;
  }

  /** Frees every program, its arena, inputs and outputs. */
  dispose(): void {
    for (const e of this.entries.values()) drop(e);
    this.entries.clear();
    this.disposed = true;
  }

  private first(sig: string, inputs: readonly CompiledInput[]): O {
    while (this.entries.size >= this.maxPrograms) {
      const [oldest, e] = this.entries.entries().next().value as [string, Entry];
      drop(e);
      this.entries.delete(oldest);
    }
    if (!this.enabled) {
      const entry: Entry = { slots: [], program: null, reason: "compilation is off", outputs: undefined, owned: [], runs: 1 };
      this.entries.set(sig, entry);
      return this.eager(entry, inputs);
    }
    // The program reads its inputs from these slots; each run copies the caller's data in.
    const slots = untracked(() => inputs.map(toSlot));
    let cap;
    try {
      cap = capture(slots[0]?.device ?? "cpu", () => this.fn(slots));
    } catch (e) {
      for (const s of slots) s.dispose();
      throw e;
    }
    this.compiles++;
    const owned = keepResult(cap.result, cap.created);
    const entry: Entry = { slots, program: cap.program, reason: cap.reason, outputs: cap.result, owned, runs: 1 };
    if (entry.program) {
      // One arena for all of this function's programs: they never run at once, and the one
      // that runs finds the memory its predecessor warmed.
      entry.program.planMemory(this.arenaSource(entry.program));
      if (this.cudaGraph !== undefined) entry.program.setCudaGraph(this.cudaGraph);
      if (this.verify) {
        const mismatch = verifyReplay(entry.program, owned);
        if (mismatch) {
          entry.program.dispose();
          entry.program = null;
          entry.reason = mismatch;
        }
      }
    }
    if (!entry.program) entry.reason = `${this.name}: runs eagerly: ${entry.reason}`;
    this.entries.set(sig, entry);
    return entry.outputs as O;
  }

  /** A live program of this function with an arena (one on another device gets an arena of its own natively). */
  private arenaSource(program: NativeProgram): NativeProgram | undefined {
    for (const e of this.entries.values()) {
      const p = e.program;
      if (p && p !== program && p.stats().sharedArenaBytes > 0) return p;
    }
    return undefined;
  }

  private eager(entry: Entry, inputs: readonly CompiledInput[]): O {
    for (const t of entry.owned) t.dispose();
    entry.owned = [];
    entry.outputs = undefined;
    // The run's tensors belong to this function, not to the caller's tidy scope.
    const cap = captureTensors(() => this.fn(inputs.map((t) => (t instanceof Tensor ? t : toSlot(t)))));
    entry.owned = keepResult(cap.result, cap.created);
    entry.outputs = cap.result;
    return cap.result;
  }
}

/** Captures and replays `fn` per input signature; see `CompiledFunction`. */
export function compile<O>(fn: (inputs: Tensor[]) => O, options?: CompileOptions): CompiledFunction<O> {
  return new CompiledFunction(fn, options);
}

function isPadded(t: CompiledInput): t is PaddedInput {
  return !(t instanceof Tensor) && "tensor" in t;
}

function checkInput(op: string, t: CompiledInput, i: number): void {
  if (t instanceof Tensor) {
    t.assertLive(op);
    return;
  }
  if (t !== null && typeof t === "object" && isPadded(t)) {
    if (!(t.tensor instanceof Tensor)) throw argError(op, "a Tensor to pad", `inputs[${i}].tensor`, typeof t.tensor);
    t.tensor.assertLive(op);
    const have = t.tensor.shape[0];
    if (have === undefined || !Number.isSafeInteger(t.rows) || t.rows < have) {
      throw argError(op, `a row count of at least ${have ?? "axis 0 of"} the tensor's rows (shape ${fmtShape(t.tensor.shape)})`, `inputs[${i}].rows`, String(t.rows));
    }
    return;
  }
  if (t === null || typeof t !== "object" || !dtypeOfTypedArray(t.data) || !Array.isArray(t.shape)) {
    throw argError(op, "a Tensor, { data: typed array, shape } or { tensor, rows }", `inputs[${i}]`, t === null ? "null" : typeof t);
  }
  const n = t.shape.reduce((a, b) => a * b, 1);
  if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0) || n !== t.data.length) {
    throw argError(op, `${n} values for shape ${fmtShape(t.shape)}`, `inputs[${i}].data`, `${t.data.length}`);
  }
}

function describe(t: CompiledInput): { dtype: DType; device: Device; shape: readonly number[]; requiresGrad: boolean } {
  if (t instanceof Tensor) return t;
  if (isPadded(t)) {
    const x = t.tensor;
    return { dtype: x.dtype, device: x.device, shape: [t.rows, ...x.shape.slice(1)], requiresGrad: x.requiresGrad };
  }
  return { dtype: dtypeOfTypedArray(t.data)!, device: t.device ?? "cpu", shape: t.shape, requiresGrad: t.requiresGrad ?? false };
}

function signature(inputs: readonly CompiledInput[], key: string): string {
  let s = key;
  for (const x of inputs) {
    const t = describe(x);
    s += `|${t.dtype}@${t.device}[${t.shape.join(",")}]${t.requiresGrad ? "g" : ""}`;
  }
  return s;
}

/** A program-owned copy of an input (a leaf that requires grad where the input does). */
function toSlot(x: CompiledInput): Tensor {
  const t = describe(x);
  const s = Tensor.alloc(t.shape.slice(), t.dtype, t.device);
  writeSlot(s, x);
  return t.requiresGrad ? s.setRequiresGrad() : s;
}

/** Copies an input's values into its slot (of the input's signature). */
function writeSlot(slot: Tensor, x: CompiledInput): void {
  if (x instanceof Tensor) {
    if (x !== slot && x.numel > 0) addon.copy(slot.storage.native, x.storage.native);
  } else if (isPadded(x)) {
    // The padding rows are zero: the whole slot is cleared, then the rows written at its start.
    if (slot.numel === 0) return;
    addon.fill(slot.storage.native, 0);
    const n = x.tensor.numel;
    if (n > 0) addon.stridedCopy(slot.storage.native, 0, [1], x.tensor.storage.native, 0, [1], [n]);
  } else if (x.data.length > 0) {
    slot.storage.native.write(x.data, 0);
  }
}

/** Disposes what the run created except the result's tensors, which come out of autograd. */
function keepResult(result: unknown, created: Tensor[]): Tensor[] {
  const kept = tensorsIn(result);
  const owned: Tensor[] = [];
  for (const t of created) {
    if (kept.has(t)) {
      t.gradFn = null;
      t.requiresGrad = false;
      owned.push(t);
    } else {
      t.dispose();
    }
  }
  return owned;
}

/** Replays once and compares the outputs with the eager run's; a reason when they differ. */
function verifyReplay(program: NativeProgram, outputs: Tensor[]): string | undefined {
  const before = outputs.map((t) => t.toArray() as ArrayLike<number | bigint>);
  try {
    program.replay();
  } catch (e) {
    return `the first replay failed: ${(e as Error).message}`;
  }
  for (let i = 0; i < outputs.length; i++) {
    const a = before[i]!;
    const b = outputs[i]!.toArray() as ArrayLike<number | bigint>;
    for (let j = 0; j < a.length; j++) {
      const x = Number(a[j]);
      const y = Number(b[j]);
      if (Number.isNaN(x) && Number.isNaN(y)) continue;
      if (!(Math.abs(x - y) <= 1e-6 + 1e-5 * Math.abs(x))) {
        return `the replay differs from the eager run (output ${i}, element ${j}: ${y} instead of ${x})`;
      }
    }
  }
  return undefined;
}

function drop(e: Entry): void {
  e.program?.dispose();
  for (const t of [...e.slots, ...e.owned]) t.dispose();
  e.owned = [];
}
