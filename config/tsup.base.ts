import { basename, extname } from "node:path";
import type { Options } from "tsup";

type Plugin = NonNullable<Options["esbuildPlugins"]>[number];

const SHIM_NS = "gmeta-cjs-shim";

function shim(pkg: string, name: string): string {
  return `"use strict";
// The CommonJS entry is the ES module build itself (require of an ES module, Node.js >= 20.19),
// so import and require share one module instance: one native addon, one kernel registry,
// one Tensor class.
try {
  module.exports = require("./${name}.js");
} catch (err) {
  if (err && err.code === "ERR_REQUIRE_ESM") {
    throw new Error("${pkg}: require() of this package needs Node.js >= 20.19 (it loads the ES module build); use import, or a newer Node.js", { cause: err });
  }
  throw err;
}
`;
}

/**
 * Replaces each CommonJS entry by a shim that requires the ES module entry of the same name,
 * instead of a second bundled copy of the sources (two copies would mean two addons loaded,
 * two registries and two Tensor classes, so a tensor made through require is refused by code
 * loaded through import).
 */
function cjsReexportsEsm(pkg: string): Plugin {
  return {
    name: "cjs-reexports-esm",
    setup(build) {
      if (build.initialOptions.format !== "cjs") return;
      const eps = build.initialOptions.entryPoints;
      const named: Record<string, string> = Array.isArray(eps)
        ? Object.fromEntries(eps.map((e) => (typeof e === "string" ? [basename(e, extname(e)), e] : [basename(e.out), e.in])))
        : { ...(eps as Record<string, string>) };
      build.initialOptions.entryPoints = Object.fromEntries(Object.keys(named).map((n) => [n, `${SHIM_NS}:${n}`]));
      build.onResolve({ filter: /^gmeta-cjs-shim:/ }, (args) => ({ path: args.path.slice(SHIM_NS.length + 1), namespace: SHIM_NS }));
      build.onLoad({ filter: /.*/, namespace: SHIM_NS }, (args) => ({ contents: shim(pkg, args.path), loader: "js" }));
      build.onResolve({ filter: /.*/, namespace: SHIM_NS }, (args) => ({ path: args.path, external: true }));
    },
  };
}

/**
 * The build every @gmeta package shares: ES modules + .d.ts for Node 20, and a CommonJS entry
 * (with its .d.cts) that re-exports the ES build. `pkg` is the npm name, for the shim's error.
 */
export function library(overrides: Options = {}, pkg = "this package"): Options {
  return {
    entry: ["src/index.ts"],
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    shims: true,
    target: "node20",
    esbuildPlugins: [cjsReexportsEsm(pkg)],
    ...overrides,
  };
}
