import { createRequire } from "node:module";
import { parse, printedHelp } from "../args.js";

export const INFO_HELP = `gmeta info: versions, devices and the backends available here, and why any part is not

Usage: gmeta info [--json]

Exits 0 even when a part is missing or unusable: each one is listed with the reason and the
ways out.`;

const PACKAGES = ["@gmeta/tensor", "@gmeta/collectives", "@gmeta/embedding", "@gmeta/io", "@gmeta/maml", "@gmeta/cli"] as const;

/** One addon as the loader sees it: where it came from, or why it does not load. */
interface AddonReport {
  usable: boolean;
  from: string;
  path: string;
  reason: string;
}

const unusable = (reason: string): AddonReport => ({ usable: false, from: "", path: "", reason });

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Everything `gmeta info` reports, as data. Each package is imported on its own, so one that
 * cannot load (an addon missing, a system library absent) is reported, not fatal.
 */
export async function collectInfo(): Promise<Record<string, unknown>> {
  const req = createRequire(import.meta.url);
  const version = (name: string): string => {
    try {
      return (req(`${name}/package.json`) as { version: string }).version;
    } catch {
      return "not installed";
    }
  };
  const problems: string[] = [];
  const native: Record<string, AddonReport> = {};
  const out: Record<string, unknown> = {
    node: process.version,
    packages: Object.fromEntries(PACKAGES.map((n) => [n, version(n)])),
  };

  // The loader's own view of each addon, before any package that needs it is imported.
  try {
    const n = await import("@gmeta/tensor/native");
    const report = (s: ReturnType<typeof n.nativeStatus>): AddonReport => ({ usable: s.usable, from: s.location?.kind ?? "", path: s.location?.path ?? "", reason: s.reason });
    native.tensor = report(n.nativeStatus(n.TENSOR_NATIVE, "gmeta_tensor"));
  } catch (e) {
    native.tensor = unusable(message(e));
  }
  if (!native.tensor!.usable) problems.push(`@gmeta/tensor: ${native.tensor!.reason}`);

  try {
    const t = await import("@gmeta/tensor");
    const i = t.info();
    const gpu = t.backends();
    out.tensor = { blas: i.blas, threads: t.getNumThreads(), native: i.version };
    out.devices = { cpu: true, cuda: gpu.cuda };
    out.gpu = { cuda: gpu.cuda, cublas: gpu.cublas };
  } catch (e) {
    out.tensor = { error: message(e) };
    out.devices = { cpu: false, cuda: { compiled: false, available: false, devices: 0, reason: "@gmeta/tensor does not load" } };
  }

  try {
    const c = await import("@gmeta/collectives");
    const addons = c.nativeAddons();
    for (const [k, s] of Object.entries(addons)) {
      native[k] = { usable: s.usable, from: s.location?.kind ?? "", path: s.location?.path ?? "", reason: s.reason };
      if (!s.usable) problems.push(`@gmeta/collectives (${k}${k === "mpi" ? ", optional" : ""}): ${s.reason}`);
    }
    const nccl = c.ncclAvailability();
    out.collectives = { gloo: addons.gloo.usable, mpi: addons.mpi.usable, nccl: nccl.available };
    if (out.gpu) Object.assign(out.gpu as Record<string, unknown>, { nccl });
  } catch (e) {
    if (!native.gloo) {
      native.gloo = unusable(message(e));
      problems.push(`@gmeta/collectives: ${message(e)}`);
    }
  }

  try {
    const emb = await import("@gmeta/embedding");
    const s = emb.embeddingNativeStatus();
    native.embedding = { usable: s.usable, from: s.location?.kind ?? "", path: s.location?.path ?? "", reason: s.reason };
    const ek = emb.embeddingCudaStatus();
    if (out.gpu) Object.assign(out.gpu as Record<string, unknown>, { embeddingKernels: ek });
  } catch (e) {
    native.embedding = unusable(message(e));
    problems.push(`@gmeta/embedding: ${message(e)}`);
  }

  for (const name of ["@gmeta/io", "@gmeta/maml"] as const) {
    try {
      await import(name);
    } catch (e) {
      // A package that fails only because an addon above does is said once, pointing there.
      const m = message(e);
      const above = Object.entries(native).find(([, a]) => !a.usable && a.reason === m);
      problems.push(above ? `${name}: does not load because the ${above[0]} addon does not (above)` : `${name}: ${m}`);
    }
  }
  out.native = native;
  out.problems = problems;
  return out;
}

export async function infoCommand(argv: string[]): Promise<number> {
  const { values } = parse("info", argv, { json: { type: "boolean" } });
  if (printedHelp(values, INFO_HELP)) return 0;
  const i = await collectInfo();
  if (values.json) {
    console.log(JSON.stringify(i, null, 2));
    return 0;
  }
  // One line each, the reason's first line: it says what was tried.
  const why = (r: string): string => `not available: ${r.split("\n")[0]}`;
  console.log(`node                ${i.node}`);
  for (const [n, v] of Object.entries(i.packages as Record<string, string>)) console.log(`${n.padEnd(20)}${v}`);
  for (const [n, a] of Object.entries(i.native as Record<string, AddonReport>)) {
    const label = `addon ${n}`.padEnd(20);
    console.log(`${label}${a.usable ? (a.from ? `${a.from === "prebuild" ? "prebuilt" : a.from === "build" ? "built from source" : a.from} (${a.path})` : "loaded") : why(a.reason)}`);
  }
  const t = i.tensor as { blas?: string; threads?: number };
  if (t.blas) console.log(`blas                ${t.blas} (${t.threads} threads)`);
  const d = i.devices as { cuda: { available: boolean; devices: number; reason: string } };
  console.log(`cuda                ${d.cuda.available ? `${d.cuda.devices} device(s)` : why(d.cuda.reason)}`);
  const g = i.gpu as
    | {
        cublas: { available: boolean; path: string; reason: string };
        nccl?: { available: boolean; path: string; version: string; reason: string };
        embeddingKernels?: { compiled: boolean; usable: boolean; reason: string };
      }
    | undefined;
  if (g) {
    console.log(`cublas              ${g.cublas.available ? `available (${g.cublas.path})` : why(g.cublas.reason)}`);
    const ek = g.embeddingKernels;
    if (ek) console.log(`embedding kernels   ${ek.compiled ? (ek.usable ? "CUDA, usable" : `CUDA compiled, not usable: ${ek.reason}`) : `CPU only: ${ek.reason}`}`);
    if (g.nccl) console.log(`nccl                ${g.nccl.available ? `available (${g.nccl.version}, ${g.nccl.path})` : why(g.nccl.reason)}`);
  }
  if (i.collectives) {
    console.log(`collectives         ${Object.entries(i.collectives as Record<string, unknown>).map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : v}`).join(", ")}`);
  }
  const problems = i.problems as string[];
  if (problems.length) {
    console.log(`\n${problems.length} part(s) not usable here:`);
    for (const p of problems) console.log(`\n${p}`);
  }
  return 0;
}
