#!/usr/bin/env node
// Makes the prebuilt addons a native @gmeta package ships: builds the package's addons
// (cmake-js, release, incremental) and copies each build/Release/<addon>.node to
// prebuilds/linux-x64/<addon>.napi.glibc.node, the prebuildify layout that the loader reads
// with node-gyp-build's tag rules. Run in a package folder (it is the package's `prepack`), or
// give package folders as arguments. The addons are Node-API 8, so one file serves every Node.js
// version in `engines`; they are built for x86-64-v2 and link the system's OpenBLAS / Gloo / MPI.
// CUDA is compiled in where nvcc exists (cudart static, cuBLAS / NCCL opened at run time), so the
// same file runs on CPU-only machines; GMETA_PREBUILD_CPU_ONLY=1 accepts a build without it.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { arch, platform } from "node:os";
import { join, resolve } from "node:path";
import { createRequire } from "node:module";

const fail = (msg) => {
  process.stderr.write(`prebuilds: ${msg}\n`);
  process.exit(1);
};

if (platform() !== "linux" || arch() !== "x64") fail(`prebuilds are made on linux-x64 (glibc) only, this is ${platform()}-${arch()}`);
if (existsSync("/etc/alpine-release")) fail("prebuilds are made against glibc; this system uses musl");

const dirs = process.argv.slice(2).length ? process.argv.slice(2).map((d) => resolve(d)) : [process.cwd()];
for (const dir of dirs) {
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const cmakeJs = join(createRequire(join(dir, "package.json")).resolve("cmake-js/package.json"), "..", "bin", "cmake-js");
  const r = spawnSync(process.execPath, [cmakeJs, "compile", "--release", "--out", "build"], { cwd: dir, stdio: ["ignore", "ignore", "inherit"] });
  if (r.status !== 0) fail(`${pkg.name}: the native build failed (cmake-js exited with ${r.status ?? r.signal}); run \`npm run build -w ${pkg.name}\` to see why`);
  const cache = readFileSync(join(dir, "build", "CMakeCache.txt"), "utf8");
  const cuda = /^GMETA_WITH_CUDA:BOOL=(\w+)/m.exec(cache)?.[1];
  if (cuda !== undefined && cuda !== "ON" && process.env.GMETA_PREBUILD_CPU_ONLY !== "1") {
    fail(`${pkg.name}: built without CUDA (GMETA_WITH_CUDA=${cuda}); prebuilds carry the CUDA kernels: install nvcc, unset GMETA_WITH_CUDA, or set GMETA_PREBUILD_CPU_ONLY=1 to ship a CPU-only prebuild`);
  }
  const release = join(dir, "build", "Release");
  const addons = readdirSync(release).filter((f) => f.endsWith(".node"));
  if (!addons.length) fail(`${pkg.name}: no .node file in ${release}`);
  const out = join(dir, "prebuilds", "linux-x64");
  const tmp = `${out}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  for (const a of addons) {
    const target = join(tmp, `${a.slice(0, -".node".length)}.napi.glibc.node`);
    copyFileSync(join(release, a), target);
    // Symbols for linking are not needed to load an addon; the dynamic symbol table stays.
    spawnSync("strip", ["--strip-unneeded", target], { stdio: "ignore" });
  }
  rmSync(out, { recursive: true, force: true });
  renameSync(tmp, out);
  process.stderr.write(`prebuilds: ${pkg.name}: ${addons.join(", ")} -> prebuilds/linux-x64 (CUDA ${cuda ?? "n/a"})\n`);
}
