// The built package's two entry points are one module: `require` of dist/index.cjs returns the
// namespace of dist/index.js, so one addon, one kernel registry and one Tensor class serve both
// and tensors made through either mix. Run in a plain Node process (vitest's own module runner
// would load a second copy of the ES build); needs the build, which turbo runs before tests.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

const dist = join(import.meta.dirname, "..", "dist");

const SCRIPT = `
const { pathToFileURL } = require("node:url");
const dist = process.argv[1];
const cjs = require(dist + "/index.cjs");
const nativeCjs = require(dist + "/native.cjs");
(async () => {
  const esm = await import(pathToFileURL(dist + "/index.js").href);
  const native = await import(pathToFileURL(dist + "/native.js").href);
  const a = cjs.tensor([1, 2, 3], { dtype: "float64", requiresGrad: true });
  const b = esm.tensor([4, 5, 6], { dtype: "float64" });
  const [g] = esm.grad(cjs.sum(esm.mul(esm.mul(a, a), b)), [a], { createGraph: true });
  const [h] = cjs.grad(esm.sum(g), [a]);
  console.log(JSON.stringify({
    sameTensor: cjs.Tensor === esm.Tensor,
    sameNamespace: cjs === esm,
    sameLoader: native.loadNative === esm.loadNative && nativeCjs.loadNative === esm.loadNative,
    g: g.toList(),
    h: h.toList(),
  }));
})();
`;

describe("one module instance for import and require", () => {
  it("dist/index.cjs is dist/index.js: one Tensor class and loader, tensors mix (second order)", () => {
    expect(existsSync(join(dist, "index.cjs")), "dist/index.cjs (run the build first)").toBe(true);
    const r = spawnSync(process.execPath, ["-e", SCRIPT, dist], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/ExperimentalWarning/);
    expect(JSON.parse(r.stdout)).toEqual({ sameTensor: true, sameNamespace: true, sameLoader: true, g: [8, 20, 36], h: [8, 10, 12] });
  });
});
