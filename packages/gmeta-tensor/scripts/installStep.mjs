// The npm `install` step of every native @gmeta package (each one's scripts/install.mjs calls it
// with its own URL): loads the prebuilt native addon, or builds it from the shipped sources
// (the package's dist/install.js, see @gmeta/tensor's nativeInstall.ts). A source checkout has no
// dist/ yet at `npm ci`; its build script makes the addon, so there is nothing to do here.
import { existsSync } from "node:fs";

/** Runs dist/install.js of the package whose scripts/ folder holds `scriptUrl`; never throws. */
export async function runInstallStep(scriptUrl) {
  const step = new URL("../dist/install.js", scriptUrl);
  if (!existsSync(step)) return;
  try {
    await import(step.href);
  } catch (err) {
    // Never fail the install: the addon's first use says again what is missing, with every way out.
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    if (process.env.GMETA_STRICT_INSTALL === "1") process.exitCode = 1;
  }
}
