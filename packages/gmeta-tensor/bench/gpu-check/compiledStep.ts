// The compiled meta-step of the GPU check: the trainer's math (second-order MAML, tasks
// batched with per-task fast weights, gradients for the dense weights and the embedding
// rows) compiled with T.compile and replayed, on a GPU as one CUDA graph and, for
// comparison, op by op; against eager on the same device and eager on the CPU, on fresh
// random batches. Also: a bad index met inside a replay, and a program a graph cannot hold.
// test/cudaGraph.test.ts runs these cases (on the CPU, and on cuda:0 where a GPU exists);
// scripts/gpu-check.sh too.
import * as T from "../../src/index.js";
import type { CompiledFunction, Device, HostInput, Tensor } from "../../src/index.js";
import { metaStep } from "./mamlStep.js";
import type { StepSizes } from "./mamlStep.js";

/** Small enough for the CPU test suite. */
export const SMALL: StepSizes = { tasks: 4, support: 6, query: 6, slots: 2, vocab: 50, embDim: 4, dense: 3, hidden: 8, innerLr: 0.1 };

export interface CaseResult {
  name: string;
  ok: boolean;
  detail: string;
}

type StepOut = ReturnType<ReturnType<typeof metaStep>>;

/** Parameters (dense weights, then the table) on `device`, drawn from `seed`. */
export function stepParams(S: StepSizes, device: Device, seed: number): Tensor[] {
  const g = new T.Generator(seed);
  const inDim = S.slots * S.embDim + S.dense;
  const mk = (shape: number[], scale: number) => T.keep(T.detach(T.affine(T.rand(shape, { generator: g }), 2 * scale, -scale).to(device)));
  const ps = [mk([inDim, S.hidden], 1 / Math.sqrt(inDim)), mk([S.hidden], 0.1), mk([S.hidden, 1], 1 / Math.sqrt(S.hidden)), mk([1], 0.1), mk([S.vocab, S.embDim], 0.1)];
  for (const p of ps) p.setRequiresGrad();
  return ps;
}

/** One batch as host data for `device`: the ids go in as host input, written into the program's slot before each replay. */
export function stepBatch(S: StepSizes, device: Device, g: T.Generator): HostInput[] {
  const n = S.support + S.query;
  const host = (t: Tensor): HostInput => {
    const data = t.toArray();
    const shape = t.shape.slice();
    t.dispose();
    return { data, shape, device };
  };
  return [
    host(T.randint(0, S.vocab, [S.tasks * n * S.slots], { generator: g, dtype: "int32" })),
    host(T.rand([S.tasks, n, S.dense], { generator: g })),
    host(T.step(T.affine(T.rand([S.tasks, n, 1], { generator: g }), 1, -0.5))),
  ];
}

function values(o: StepOut): Float64Array[] {
  return [o.loss, ...o.grads].map((t) => Float64Array.from(t.toArray() as Float32Array));
}

/** Largest |a - b| / (atol + |b|) over the loss and every gradient. */
function worst(a: Float64Array[], b: Float64Array[], atol: number): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) for (let j = 0; j < a[i]!.length; j++) m = Math.max(m, Math.abs(a[i]![j]! - b[i]![j]!) / (atol + Math.abs(b[i]![j]!)));
  return m;
}

function eagerOn(S: StepSizes, device: Device, params: Tensor[], batch: HostInput[]): Float64Array[] {
  return T.tidy(() => {
    const inputs = batch.map((h) => T.tensor(h.data, { shape: h.shape.slice() }).to(device));
    return values(metaStep(S, params)(inputs));
  });
}

/**
 * The compiled step with CUDA graphs on and off, each against eager on the device and the
 * eager CPU step, over `batches` fresh batches; then what each program's stats say.
 */
export function compiledStepCases(device: Device, S: StepSizes = SMALL, batches = 3, seed = 11): CaseResult[] {
  const params = stepParams(S, device, seed);
  const cpuParams = device === "cpu" ? params : stepParams(S, "cpu", seed);
  const graph = T.compile(metaStep(S, params), { name: "graphStep" });
  const plain = T.compile(metaStep(S, params), { name: "plainStep", cudaGraph: false });
  const g = new T.Generator(seed + 1);
  let dEager = 0;
  let dOnOff = 0;
  let dCpu = 0;
  try {
    for (let b = 0; b < batches; b++) {
      const batch = stepBatch(S, device, g);
      const viaGraph = values(graph.run(batch));
      const viaPlain = values(plain.run(batch));
      dEager = Math.max(dEager, worst(viaGraph, eagerOn(S, device, params, batch), 1e-6));
      dOnOff = Math.max(dOnOff, worst(viaGraph, viaPlain, 1e-6));
      dCpu = Math.max(dCpu, worst(viaGraph, eagerOn(S, "cpu", cpuParams, batch.map((h) => ({ ...h, device: "cpu" }))), 1e-4));
    }
    const gs = graph.status()[0]!;
    const ps = plain.status()[0]!;
    const onGpu = device !== "cpu";
    // Scatter-add's atomics add floats in no fixed order, so two GPU runs may differ by rounding.
    const onOffTol = onGpu ? 1e-6 : 0;
    const fmt = (x: number) => x.toExponential(2);
    return [
      { name: `compiled step on ${device} == eager on ${device}`, ok: gs.compiled && dEager <= 1e-5, detail: `max rel diff ${fmt(dEager)}${gs.compiled ? "" : `; ${gs.reason}`}` },
      { name: `compiled step, CUDA graphs on == off`, ok: ps.compiled && dOnOff <= onOffTol, detail: `max rel diff ${fmt(dOnOff)} (allowed ${onOffTol})` },
      { name: `compiled step on ${device} == eager on the CPU`, ok: dCpu <= 1e-4, detail: `max rel diff ${fmt(dCpu)}` },
      {
        name: `stats say whether a CUDA graph runs`,
        ok: onGpu
          ? gs.stats!.cudaGraph && gs.stats!.cudaGraphReason === "" && !ps.stats!.cudaGraph && /off/.test(ps.stats!.cudaGraphReason)
          : !gs.stats!.cudaGraph && gs.stats!.cudaGraphReason === "the program runs on the CPU",
        detail: `graph: ${gs.stats!.cudaGraph} "${gs.stats!.cudaGraphReason}"; off: ${ps.stats!.cudaGraph} "${ps.stats!.cudaGraphReason}"; ${gs.stats!.ops} ops`,
      },
    ];
  } finally {
    graph.dispose();
    plain.dispose();
    for (const p of new Set([...params, ...cpuParams])) p.dispose();
  }
}

/**
 * A bad index met during a replay is an error naming the op and position (found after the
 * replay on a GPU, inside the graph), and the program replays correctly afterwards.
 */
export function badIndexCase(device: Device): CaseResult {
  const name = `a bad index in a replay on ${device} names the op, then replays go on`;
  const src = T.keep(T.tensor([1, 2, 3, 4, 5, 6], { shape: [3, 2] }).to(device));
  const f: CompiledFunction<Tensor> = T.compile(([idx]: Tensor[]) => T.mul(T.gatherRows(src, idx!), 2));
  const ids = (xs: number[]): HostInput => ({ data: Int32Array.from(xs), shape: [xs.length], device });
  try {
    f.run([ids([0, 1, 2, 1])]); // capture
    f.run([ids([2, 0, 1, 0])]); // replay
    let message = "";
    try {
      f.run([ids([1, 0, 5, 2])]); // position 2 is out of range
    } catch (e) {
      message = (e as Error).message;
    }
    const want = device === "cpu" ? /^replay: gatherRows met an index out of range at position 2/ : /^replay: gatherRows met an index out of range at position 2 \(op \d+ of \d+, on cuda:\d+ in a CUDA graph;/;
    const after = Array.from(f.run([ids([2, 1, 0, 1])]).toArray() as Float32Array);
    const ok = want.test(message) && after.join(",") === "10,12,6,8,2,4,6,8";
    return { name, ok, detail: ok ? `"${message.split(" (the inputs")[0]}"` : `message "${message}", then ${after.join(",")}` };
  } catch (e) {
    return { name, ok: false, detail: (e as Error).message };
  } finally {
    f.dispose();
    src.dispose();
  }
}

/** A program that copies through host memory replays op by op on a GPU, saying why, and still gives eager's result. */
export function fallbackCase(device: Device): CaseResult {
  const name = `a program a CUDA graph cannot hold replays op by op on ${device}, saying why`;
  const f = T.compile(([x]: Tensor[]) => T.add(T.mul(x!, 3).to("cpu").to(device), 1));
  try {
    let ok = true;
    for (const v of [1, 2, 3]) {
      const out = Array.from(f.run([{ data: Float32Array.from([v, -v]), shape: [2], device }]).toArray() as Float32Array);
      ok &&= out.join(",") === `${3 * v + 1},${-3 * v + 1}`;
    }
    const st = f.status()[0]!;
    const reason = st.stats?.cudaGraphReason ?? st.reason ?? "";
    ok &&= st.compiled && !st.stats!.cudaGraph && (device === "cpu" ? reason === "the program runs on the CPU" : /^replays op by op: copy uses memory on cpu/.test(reason));
    return { name, ok, detail: `"${reason}"` };
  } finally {
    f.dispose();
  }
}

/** Seconds per replay of the compiled step with graphs on and off, and of the eager step (`time` as in timing.ts). */
export function replayTimes(device: Device, S: StepSizes, time: (fn: () => void, reps: number) => number, reps: number): { graph: number; plain: number; eager: number; ops: number; cudaGraph: boolean } {
  const params = stepParams(S, device, 5);
  const graph = T.compile(metaStep(S, params), { name: "graphStep" });
  const plain = T.compile(metaStep(S, params), { name: "plainStep", cudaGraph: false });
  const batch = stepBatch(S, device, new T.Generator(6));
  const inputs = batch.map((h) => T.keep(T.tensor(h.data, { shape: h.shape.slice() }).to(device)));
  try {
    const tGraph = time(() => graph.run(inputs), reps);
    const tPlain = time(() => plain.run(inputs), reps);
    const tEager = time(() => T.tidy(() => void metaStep(S, params)(inputs)), reps);
    const st = graph.status()[0]!.stats!;
    return { graph: tGraph, plain: tPlain, eager: tEager, ops: st.ops, cudaGraph: st.cudaGraph };
  } finally {
    graph.dispose();
    plain.dispose();
    for (const t of [...params, ...inputs]) t.dispose();
  }
}
