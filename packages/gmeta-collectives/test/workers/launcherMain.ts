// A launcher process for tests of signal forwarding: launch(nproc=argv[2], command=rest),
// print the result line, exit with its status.
import { launch } from "../../src/index.js";

const [nproc, ...command] = process.argv.slice(2);
launch({ nproc: Number(nproc), command, graceMs: 1000 }).then((r) => {
  console.error(r.message);
  process.exit(r.exitCode);
});
