import { createRequire } from "node:module";
import * as collectives from "@gmeta/collectives";
import { embeddingCudaStatus } from "@gmeta/embedding";
import { backends as tensorBackends, getNumThreads, info as tensorInfo } from "@gmeta/tensor";
import { parse } from "../args.js";

export const INFO_HELP = `gmeta info: versions, devices and the backends available here

Usage: gmeta info [--json]`;

/** Everything `gmeta info` reports, as data. */
export function collectInfo(): Record<string, unknown> {
  const req = createRequire(import.meta.url);
  const version = (name: string): string => {
    try {
      return (req(`${name}/package.json`) as { version: string }).version;
    } catch {
      return "not installed";
    }
  };
  const t = tensorInfo();
  const gpu = tensorBackends();
  const nccl = collectives.ncclAvailability();
  const c = collectives as unknown as { mpiBuilt?: () => boolean; backends?: () => Record<string, unknown> };
  return {
    node: process.version,
    packages: Object.fromEntries(["@gmeta/tensor", "@gmeta/collectives", "@gmeta/embedding", "@gmeta/io", "@gmeta/maml", "@gmeta/cli"].map((n) => [n, version(n)])),
    tensor: { blas: t.blas, threads: getNumThreads(), native: t.version },
    devices: { cpu: true, cuda: gpu.cuda },
    gpu: { cuda: gpu.cuda, cublas: gpu.cublas, nccl, embeddingKernels: embeddingCudaStatus() },
    collectives: c.backends ? c.backends() : { gloo: true, mpi: c.mpiBuilt ? c.mpiBuilt() : false, nccl: nccl.available },
  };
}

export async function infoCommand(argv: string[]): Promise<number> {
  const { values } = parse("info", argv, { json: { type: "boolean" } });
  if (values.help) {
    console.log(INFO_HELP);
    return 0;
  }
  const i = collectInfo();
  if (values.json) {
    console.log(JSON.stringify(i, null, 2));
    return 0;
  }
  const t = i.tensor as { blas: string; threads: number };
  const d = i.devices as { cuda: { compiled: boolean; available: boolean; devices: number; reason: string } };
  console.log(`node                ${i.node}`);
  for (const [n, v] of Object.entries(i.packages as Record<string, string>)) console.log(`${n.padEnd(20)}${v}`);
  console.log(`blas                ${t.blas} (${t.threads} threads)`);
  const g = i.gpu as {
    cublas: { available: boolean; path: string; reason: string };
    nccl: { available: boolean; path: string; version: string; reason: string };
    embeddingKernels: { compiled: boolean; usable: boolean; reason: string };
  };
  // One line each, the reason in full: the first line of a loader's answer says what was tried.
  const why = (r: string): string => `not available: ${r.split("\n")[0]}`;
  console.log(`cuda                ${d.cuda.available ? `${d.cuda.devices} device(s)` : why(d.cuda.reason)}`);
  console.log(`cublas              ${g.cublas.available ? `available (${g.cublas.path})` : why(g.cublas.reason)}`);
  const ek = g.embeddingKernels;
  console.log(`embedding kernels   ${ek.compiled ? (ek.usable ? "CUDA, usable" : `CUDA compiled, not usable: ${ek.reason}`) : `CPU only: ${ek.reason}`}`);
  console.log(`nccl                ${g.nccl.available ? `available (${g.nccl.version}, ${g.nccl.path})` : why(g.nccl.reason)}`);
  console.log(`collectives         ${Object.entries(i.collectives as Record<string, unknown>).map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : v}`).join(", ")}`);
  return 0;
}
