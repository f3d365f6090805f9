// npm `install` step: the one every native @gmeta package runs, shipped by @gmeta/tensor
// (scripts/installStep.mjs). Without that peer the step says so and, like the step itself,
// does not fail the install (GMETA_STRICT_INSTALL=1 makes it exit 1).
const shared = await import("@gmeta/tensor/install-step").catch((err) => {
  process.stderr.write(`@gmeta/collectives: ${err instanceof Error ? err.message : String(err)}\n`);
  if (process.env.GMETA_STRICT_INSTALL === "1") process.exitCode = 1;
});
if (shared) await shared.runInstallStep(import.meta.url);
