import { createRequire } from "node:module";

/** The version of @gmeta/cli, read from its package.json (the one owner of that fact). */
export function cliVersion(): string {
  return (createRequire(import.meta.url)("../package.json") as { version: string }).version;
}
