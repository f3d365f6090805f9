// npm `install` step: loads the prebuilt native addon, or builds it from the shipped sources
// (dist/install.js, see @gmeta/tensor's nativeInstall.ts). A source checkout has no dist/ yet
// at `npm ci`; its build script makes the addon, so there is nothing to do here.
import { existsSync } from "node:fs";

const step = new URL("../dist/install.js", import.meta.url);
if (existsSync(step)) {
  try {
    await import(step.href);
  } catch (err) {
    // Never fail the install: the addon's first use says again what is missing, with every way out.
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    if (process.env.GMETA_STRICT_INSTALL === "1") process.exitCode = 1;
  }
}
