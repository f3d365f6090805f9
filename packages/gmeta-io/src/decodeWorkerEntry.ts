import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

/**
 * Starts a decode worker. From the built package the worker is its own bundle beside this
 * code (decodeWorker.js for ESM, decodeWorker.cjs for CommonJS). From TypeScript sources (tests)
 * it is the .ts file, loaded through tsx's module hooks inside the worker.
 */
export function startDecodeWorker(): Worker {
  // A worker inherits the process's flags; --input-type (for `node -e`) stops it from loading a file.
  const execArgv = process.execArgv.filter((a) => !a.startsWith("--input-type"));
  const here = dirname(fileURLToPath(import.meta.url));
  const cjs = import.meta.url.endsWith(".cjs");
  const built = [join(here, cjs ? "decodeWorker.cjs" : "decodeWorker.js"), join(here, cjs ? "decodeWorker.js" : "decodeWorker.cjs")];
  for (const file of built) if (existsSync(file)) return new Worker(file, { execArgv });
  const source = join(here, "decodeWorker.ts");
  if (existsSync(source)) {
    const url = pathToFileURL(source).href;
    const boot = `const { register } = await import("tsx/esm/api"); register(); await import(${JSON.stringify(url)});`;
    return new Worker(boot, { eval: true, execArgv });
  }
  throw new Error(
    `loader: cannot find the decode worker next to ${here}. Possible solutions: rebuild @gmeta/io (npm run build) so dist/decodeWorker.js exists; or pass workers: 0 to decode on the main thread`,
  );
}
