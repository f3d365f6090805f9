// The packages as a user gets them: every @gmeta package is packed, the tarballs alone are
// installed into a project outside the repository (third-party dependencies come from the npm
// registry), and the examples of the installed READMEs run there, as written: @gmeta/tensor from
// ESM and from CommonJS in one process (second-order gradients, tensors mixed), a 2-rank Gloo
// allReduce through the launcher, a sharded embedding lookup over Gloo, @gmeta/io reading a
// prepared dataset, TypeScript consumers (moduleResolution node16 and bundler), `gmeta
// --version`, `gmeta info` and a short `gmeta demo`; `npm publish --dry-run` of each package.
// Then the same from tarballs without prebuilt addons, so the install step builds them from
// the shipped sources (CPU-only, to keep CI short: the CUDA half of the build is the same CMake
// list with nvcc on; the TypeScript check is not repeated, the declarations being the same).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const PACKAGES = ["tensor", "collectives", "embedding", "io", "maml", "cli"] as const;
const NATIVE = ["tensor", "collectives", "embedding"] as const;
const work = mkdtempSync(join(tmpdir(), "gmeta-packaging-"));
afterAll(() => {
  if (process.env.GMETA_KEEP_PACKAGING !== "1") rmSync(work, { recursive: true, force: true });
  else console.info(`[packaging] kept ${work}`);
});

interface Run {
  code: number | null;
  out: string;
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, timeout = 300_000): Run {
  const r = spawnSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: "utf8", timeout, maxBuffer: 64 << 20 });
  return { code: r.status, out: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? `\n${r.error.message}` : ""}` };
}

function ok(r: Run, what: string): string {
  expect(r.code, `${what} failed:\n${r.out}`).toBe(0);
  return r.out;
}

// The monorepo's own pins, so the consumer type-checks with what the packages were built with.
const version = (name: string): string => (JSON.parse(readFileSync(join(REPO, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;

interface Packed {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: { path: string; size: number }[];
}
const packed: Record<string, Packed> = {};
const tarballs = { prebuilt: [] as string[], source: [] as string[] };

beforeAll(() => {
  const dest = join(work, "packs");
  mkdirSync(dest);
  for (const p of PACKAGES) {
    // prepack makes the prebuilds (an incremental native build); a machine without nvcc ships CPU-only ones here.
    const out = ok(run("npm", ["pack", "-w", `@gmeta/${p}`, "--pack-destination", dest, "--json", "--silent"], REPO, { GMETA_PREBUILD_CPU_ONLY: "1" }), `npm pack @gmeta/${p}`);
    const info = (JSON.parse(out.slice(out.indexOf("["), out.lastIndexOf("]") + 1)) as Packed[])[0]!;
    packed[p] = info;
    tarballs.prebuilt.push(join(dest, info.filename));
  }
  // The same tarballs without prebuilds/: what a platform without a fitting prebuild sees.
  const stripped = join(work, "packs-source");
  mkdirSync(stripped);
  for (const p of PACKAGES) {
    const file = join(dest, packed[p]!.filename);
    if (!(NATIVE as readonly string[]).includes(p)) {
      tarballs.source.push(file);
      continue;
    }
    const x = join(work, `unpack-${p}`);
    mkdirSync(x);
    execFileSync("tar", ["xzf", file, "-C", x]);
    rmSync(join(x, "package", "prebuilds"), { recursive: true });
    const out = join(stripped, packed[p]!.filename);
    execFileSync("tar", ["czf", out, "-C", x, "package"]);
    tarballs.source.push(out);
  }
  const rows = PACKAGES.map((p) => {
    const i = packed[p]!;
    const dirs = new Map<string, number>();
    for (const f of i.files) dirs.set(f.path.split("/")[0]!, (dirs.get(f.path.split("/")[0]!) ?? 0) + f.size);
    const parts = [...dirs].map(([d, b]) => `${d} ${(b / 1024).toFixed(0)} KiB`).join(", ");
    return `  ${i.filename.padEnd(30)} ${(i.size / 1024).toFixed(0).padStart(5)} KiB packed, ${(i.unpackedSize / 1024).toFixed(0).padStart(5)} KiB unpacked, ${i.entryCount} files: ${parts}`;
  });
  console.info(`[packaging] tarballs:\n${rows.join("\n")}`);
}, 600_000);

function readmeExamples(project: string, pkg: string): Record<string, string> {
  const text = readFileSync(join(project, "node_modules", "@gmeta", pkg, "README.md"), "utf8");
  const found: Record<string, string> = {};
  for (const m of text.matchAll(/<!-- example: (\S+) -->\n```\w*\n([\s\S]*?)```/g)) found[m[1]!] = m[2]!;
  return found;
}

const TS_GOOD_MTS = `import { grad, mul, sum, tensor, type Tensor } from "@gmeta/tensor";
import { initProcessGroup, launch, type ProcessGroup } from "@gmeta/collectives";
import { planSharding, ShardedEmbeddingCollection } from "@gmeta/embedding";
import { openMetaDataset, type MetaBatch } from "@gmeta/io";
import { auc, MetaTrainer } from "@gmeta/maml";
import { main } from "@gmeta/cli";

const x: Tensor = tensor([1, 2, 3], { dtype: "float64", requiresGrad: true });
export const [g]: Tensor[] = grad(sum(mul(x, x)), [x], { createGraph: true });
export async function start(): Promise<number> {
  const pg: ProcessGroup = await initProcessGroup({ backend: "gloo" });
  const tables = [{ name: "t", rows: 10, dim: 2, seed: 1 }];
  const plan = planSharding({ tables, worldSize: pg.size, optimizer: { kind: "sgd", lr: 0.1 } });
  const coll = new ShardedEmbeddingCollection({ tables, plan, processGroup: pg, optimizer: { kind: "sgd", lr: 0.1 } });
  const ds = await openMetaDataset("prepared");
  const none: MetaBatch | undefined = undefined;
  void [coll, ds, none, launch, auc, MetaTrainer];
  return main(["--version"]);
}
`;
const TS_GOOD_CTS = `import { grad, sum, tensor, Tensor } from "@gmeta/tensor";
import collectives = require("@gmeta/collectives");

const x: Tensor = tensor([1, 2], { requiresGrad: true });
export const g: Tensor[] = grad(sum(x), [x]);
export const start: typeof collectives.launch = collectives.launch;
`;
// Wrong on purpose: proves the declarations resolve (with any-typed modules these would pass).
const TS_BAD_MTS = `import { tensor } from "@gmeta/tensor";\nexport const n: number = tensor([1]);\n`;
const TS_BAD_CTS = `import { synthesize } from "@gmeta/io";\nexport const s: string = synthesize;\n`;
const tsconfig = (module: string, resolution: string, files: string[]): string =>
  JSON.stringify({ compilerOptions: { module, moduleResolution: resolution, target: "es2022", strict: true, noEmit: true, skipLibCheck: false, types: ["node"] }, files });

type Variant = keyof typeof tarballs;

function setUp(variant: Variant): { dir: string; installSeconds: number; log: string } {
  const dir = join(work, variant);
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: `gmeta-consumer-${variant}`, version: "1.0.0", private: true }));
  // Test tools first, so the timed install below is the tarballs' alone.
  ok(run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", `typescript@${version("typescript")}`, `@types/node@${version("@types/node")}`], dir), "npm install typescript");
  const t0 = performance.now();
  const env = variant === "source" ? { GMETA_WITH_CUDA: "OFF" } : {};
  const log = ok(run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--foreground-scripts", ...tarballs[variant]], dir, env, 900_000), `npm install (${variant})`);
  const installSeconds = (performance.now() - t0) / 1000;
  console.info(`[packaging] ${variant}: npm install of the 6 tarballs took ${installSeconds.toFixed(1)} s`);
  for (const p of PACKAGES) for (const [name, body] of Object.entries(readmeExamples(dir, p))) writeFileSync(join(dir, name), body);
  mkdirSync(join(dir, "ts"));
  writeFileSync(join(dir, "ts", "good.mts"), TS_GOOD_MTS);
  writeFileSync(join(dir, "ts", "good.cts"), TS_GOOD_CTS);
  writeFileSync(join(dir, "ts", "good.ts"), TS_GOOD_MTS);
  writeFileSync(join(dir, "ts", "bad.mts"), TS_BAD_MTS);
  writeFileSync(join(dir, "ts", "bad.cts"), TS_BAD_CTS);
  writeFileSync(join(dir, "ts", "node16.json"), tsconfig("node16", "node16", ["good.mts", "good.cts"]));
  writeFileSync(join(dir, "ts", "bundler.json"), tsconfig("esnext", "bundler", ["good.ts"]));
  writeFileSync(join(dir, "ts", "bad.json"), tsconfig("node16", "node16", ["bad.mts", "bad.cts"]));
  return { dir, installSeconds, log };
}

it("npm publish --dry-run passes for every package", () => {
  for (const p of PACKAGES) {
    const out = ok(run("npm", ["publish", "--dry-run", "-w", `@gmeta/${p}`], REPO, { GMETA_PREBUILD_CPU_ONLY: "1" }), `npm publish --dry-run @gmeta/${p}`);
    expect(out).toContain(`+ @gmeta/${p}@`);
  }
});

describe.each(["prebuilt", "source"] as const)("the tarballs installed alone (%s addons)", (variant) => {
  let dir = "";
  let log = "";
  beforeAll(() => {
    ({ dir, log } = setUp(variant));
  }, 900_000);
  const node = (args: string[], env: NodeJS.ProcessEnv = {}): Run => run(process.execPath, args, dir, env);
  const npx = (args: string[]): Run => run("npx", ["--no-install", ...args], dir);

  it("installs no build tools, and loads each addon from where this variant puts it", () => {
    for (const tool of ["cmake-js", "node-addon-api"]) expect(existsSync(join(dir, "node_modules", tool)), `${tool} was installed`).toBe(false);
    const info = JSON.parse(ok(npx(["gmeta", "info", "--json"]), "gmeta info --json")) as { native: Record<string, { usable: boolean; from: string; path: string }>; problems: string[] };
    expect(Object.keys(info.native).sort()).toEqual(["embedding", "gloo", "mpi", "tensor"]);
    for (const [name, a] of Object.entries(info.native)) {
      expect(a.usable, `${name}: ${JSON.stringify(a)}`).toBe(true);
      expect(a.from, name).toBe(variant === "prebuilt" ? "prebuild" : "build");
      expect(a.path.startsWith(join(dir, "node_modules", "@gmeta")), a.path).toBe(true);
    }
    expect(info.problems).toEqual([]);
    for (const p of NATIVE) expect(existsSync(join(dir, "node_modules", "@gmeta", p, "prebuilds")), p).toBe(variant === "prebuilt");
    if (variant === "source") for (const p of NATIVE) expect(log).toContain(`@gmeta/${p}: building the native addon from source`);
  });

  it("@gmeta/tensor from ESM: second-order gradients", () => {
    expect(ok(node(["second-order.mjs"]), "second-order.mjs")).toContain("f' = [ 3, 12, 27 ] f'' = [ 6, 12, 18 ]");
  });

  it("@gmeta/tensor from CommonJS and ESM in one process: one module, tensors mix", () => {
    const out = ok(node(["second-order.cjs"]), "second-order.cjs");
    expect(out).toContain("f' = [ 3, 12, 27 ] f'' = [ 6, 12, 18 ]");
    expect(out).toContain("one module: true mixed: [ 7, 13, 19 ]");
    expect(out).not.toMatch(/ExperimentalWarning/);
  });

  it("a 2-rank Gloo allReduce through the launcher", () => {
    const out = ok(node(["launch.mjs"]), "launch.mjs");
    expect(out).toContain("[rank 0] rank 0 of 2: allReduce sum = [3,30]");
    expect(out).toContain("[rank 1] rank 1 of 2: allReduce sum = [3,30]");
    expect(out).toContain("launch: all 2 ranks exited 0");
  });

  it("@gmeta/embedding over Gloo on 2 ranks, through `gmeta launch`", () => {
    const out = ok(npx(["gmeta", "launch", "--nproc", "2", "--", process.execPath, "embedding.mjs"]), "gmeta launch embedding.mjs");
    expect(out).toContain("[rank 0] rank 0: lookup equals the unsharded table: true");
    expect(out).toContain("[rank 1] rank 1: lookup equals the unsharded table: true");
  });

  it("@gmeta/io reads a prepared dataset; @gmeta/maml's metrics", () => {
    const out = ok(node(["io.mjs"]), "io.mjs");
    const m = /(\d+) samples of 200 users; read (\d+) tasks, (\d+) samples in meta-batches of 16/.exec(out);
    expect(m, out).not.toBeNull();
    expect(Number(m![2])).toBeGreaterThan(0);
    expect(Number(m![3])).toBeGreaterThan(0);
    expect(Number(m![3])).toBeLessThanOrEqual(Number(m![1]));
    expect(ok(node(["metrics.mjs"]), "metrics.mjs")).toContain("AUC 0.8889  GAUC 1.0000  logloss 0.4149");
  });

  // The declarations are the same files whichever way the addons came; checked once.
  const tsSkip = variant === "source" ? "the .d.ts files do not depend on how the addons were obtained (checked with the prebuilt install)" : "";
  if (tsSkip) console.info(`[packaging] source: TypeScript consumers skipped: ${tsSkip}`);
  it.skipIf(tsSkip !== "")("TypeScript consumers type-check with moduleResolution node16 and bundler; wrong types are caught", () => {
    const tsc = join(dir, "node_modules", "typescript", "bin", "tsc");
    ok(run(process.execPath, [tsc, "-p", "node16.json"], join(dir, "ts")), "tsc node16");
    ok(run(process.execPath, [tsc, "-p", "bundler.json"], join(dir, "ts")), "tsc bundler");
    const bad = run(process.execPath, [tsc, "-p", "bad.json"], join(dir, "ts"));
    expect(bad.code).not.toBe(0);
    expect(bad.out).toMatch(/bad\.mts.*Type 'Tensor' is not assignable to type 'number'/);
    expect(bad.out).toMatch(/bad\.cts.*is not assignable to type 'string'/);
  });

  it("the gmeta README's commands: --version, info and a short demo", () => {
    const out = ok(run("sh", ["-e", "cli.sh"], dir), "cli.sh");
    const version = (JSON.parse(readFileSync(join(REPO, "packages", "gmeta-cli", "package.json"), "utf8")) as { version: string }).version;
    expect(out.split("\n")[0]).toBe(version);
    expect(out).toMatch(new RegExp(`addon tensor +${variant === "prebuilt" ? "prebuilt" : "built from source"} \\(`));
    expect(out).toContain("cold-start AUC on held-out tasks: meta-learned");
    expect(existsSync(join(dir, "demo-run", "run", "summary.json"))).toBe(true);
    expect(ok(npx(["gmeta", "-v"]), "gmeta -v").trim()).toBe(version);
  });

  it("gmeta info names a part that cannot load, why and the ways out, and exits 0", () => {
    const loc = join(dir, "node_modules", "@gmeta", "embedding", variant === "prebuilt" ? "prebuilds" : "build");
    const away = `${loc}.away`;
    renameSync(loc, away);
    try {
      const r = npx(["gmeta", "info"]);
      expect(r.code, r.out).toBe(0);
      expect(r.out).toMatch(/addon embedding +not available: @gmeta\/embedding: could not load the native addon: no prebuilt gmeta_embedding for linux-x64 glibc/);
      expect(r.out).toContain("2 part(s) not usable here:");
      expect(r.out).toContain("@gmeta/maml: does not load because the embedding addon does not (above)");
      expect(r.out).toContain("`npx gmeta-build-native @gmeta/embedding`");
      expect(r.out).toMatch(/addon tensor +(prebuilt|built from source)/);
      if (variant === "source") {
        // The way out it names works: a fresh source build of that package alone.
        const b = run("npx", ["--no-install", "gmeta-build-native", "@gmeta/embedding"], dir, { GMETA_WITH_CUDA: "OFF" });
        expect(b.code, b.out).toBe(0);
        expect(b.out).toContain("@gmeta/embedding: gmeta_embedding: built from source");
        const again = JSON.parse(ok(npx(["gmeta", "info", "--json"]), "gmeta info --json")) as { problems: string[] };
        expect(again.problems).toEqual([]);
        rmSync(away, { recursive: true });
        return;
      }
    } finally {
      if (existsSync(away)) {
        rmSync(loc, { recursive: true, force: true });
        renameSync(away, loc);
      }
    }
  });
});
