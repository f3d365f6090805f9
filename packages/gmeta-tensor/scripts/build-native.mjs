#!/usr/bin/env node
// gmeta-build-native [package...]: builds the native addons of the installed @gmeta packages
// (default: every one of @gmeta/tensor, @gmeta/collectives, @gmeta/embedding found) from the
// sources they ship, without npm's install-script permission: it runs each package's install
// step with GMETA_BUILD_FROM_SOURCE=1. Needs cmake, a C++17 compiler, make, pkg-config and the
// -dev packages the error of a failed load lists; exits 1 when an addon still does not load.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const NATIVE = ["@gmeta/tensor", "@gmeta/collectives", "@gmeta/embedding"];
const args = process.argv.slice(2);
if (args.includes("--help") || args.includes("-h")) {
  console.log("Usage: gmeta-build-native [@gmeta/tensor] [@gmeta/collectives] [@gmeta/embedding]\n\nBuilds the named (default: all installed) native @gmeta packages from their shipped sources.");
  process.exit(0);
}
const bad = args.filter((a) => !NATIVE.includes(a));
if (bad.length) {
  process.stderr.write(`gmeta-build-native: expected one of ${NATIVE.join(", ")} for package, got ${bad.map((b) => JSON.stringify(b)).join(", ")}\n`);
  process.exit(2);
}
// The project's own copies first (the folder this runs in), then the ones beside this package.
const resolvers = [createRequire(join(process.cwd(), "package.json")), createRequire(import.meta.url)];
function rootOf(name) {
  for (const r of resolvers) {
    try {
      return dirname(r.resolve(`${name}/package.json`));
    } catch {
      // not resolvable from there
    }
  }
  return undefined;
}
let failed = false;
for (const name of args.length ? args : NATIVE) {
  const root = rootOf(name);
  if (!root) {
    if (args.length) {
      process.stderr.write(`gmeta-build-native: ${name} is not installed here\n`);
      failed = true;
    }
    continue;
  }
  const step = join(root, "scripts", "install.mjs");
  if (!existsSync(step)) {
    process.stderr.write(`gmeta-build-native: ${name} at ${root} has no scripts/install.mjs\n`);
    failed = true;
    continue;
  }
  const r = spawnSync(process.execPath, [step], { stdio: "inherit", env: { ...process.env, GMETA_BUILD_FROM_SOURCE: "1", GMETA_STRICT_INSTALL: "1" } });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
