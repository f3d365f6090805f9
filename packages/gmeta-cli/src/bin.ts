import { UsageError } from "./args.js";
import { cliVersion } from "./version.js";

// `--version` and `info` are answered without loading the packages with native addons first, so
// they work (and `info` says why) where one of those cannot load.
async function run(argv: string[]): Promise<number> {
  if (argv[0] === "--version" || argv[0] === "-v") {
    console.log(cliVersion());
    return 0;
  }
  if (argv[0] === "info") {
    const { infoCommand } = await import("./commands/info.js");
    try {
      return await infoCommand(argv.slice(1));
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
  }
  const { runCli } = await import("./index.js");
  return runCli(argv);
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`gmeta: ${err instanceof Error ? err.message : String(err)}\n`);
    if (process.env.GMETA_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    process.exitCode = 1;
  },
);
