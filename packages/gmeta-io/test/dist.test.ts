import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { prepare, synthesize } from "../src/index.js";
import { tmpDir } from "./tmpDir.js";

const dist = resolve(__dirname, "../dist");
const built = existsSync(join(dist, "index.js")) && existsSync(join(dist, "decodeWorker.cjs"));
if (!built) console.warn(`dist.test: skipped, ${dist} is not built (run npx tsup first; turbo's test task builds it)`);

// The built package must start its decode workers from both module formats.
describe.skipIf(!built)("built package", () => {
  const dir = tmpDir("dist");
  const body = () => `
    const ds = await lib.openMetaDataset(${JSON.stringify(join(dir, "ds"))});
    let n = 0;
    for await (const b of ds.loader({ tasksPerBatch: 4, workers: 2 })) n += b.support.size + b.query.size;
    console.log(JSON.stringify({ n, names: Object.keys(lib).length }));`;

  for (const kind of ["esm", "cjs"] as const) {
    it(`loads batches through worker threads from dist (${kind})`, async () => {
      if (!existsSync(join(dir, "ds"))) {
        const raw = await synthesize({ users: 40, items: 20, categories: 3, samplesPerUser: [4, 12], dense: 1, seed: 1, out: join(dir, "raw.arrow") });
        await prepare({ input: raw.file, schema: raw.schema, out: join(dir, "ds"), split: { query: 2 }, rowsPerPart: 100 });
      }
      const script = join(dir, kind === "esm" ? "run.mjs" : "run.cjs");
      writeFileSync(
        script,
        kind === "esm"
          ? `import * as lib from ${JSON.stringify(join(dist, "index.js"))};\n${body()}`
          : `const lib = require(${JSON.stringify(join(dist, "index.cjs"))});\n(async () => {${body()}})().catch((e) => { console.error(e); process.exit(1); });`,
      );
      // also as `node --input-type=module -e`, whose flag the workers must not inherit
      const args = kind === "esm" ? ["--input-type=module", "-e", readFileSync(script, "utf8")] : [script];
      // a timeout guards the exit: an idle worker must not keep the process alive
      const out = JSON.parse(execFileSync(process.execPath, args, { encoding: "utf8", timeout: 60_000 })) as { n: number; names: number };
      expect(out.n).toBeGreaterThan(0);
      expect(out.names).toBeGreaterThan(10);
    });
  }
});
