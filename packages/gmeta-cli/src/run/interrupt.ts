import { constants } from "node:os";

/** A command stopped by SIGINT or SIGTERM; the message says what was kept. */
export class Interrupted extends Error {
  override name = "Interrupted";
  readonly exitCode: number;
  constructor(
    readonly signal: NodeJS.Signals,
    message: string,
  ) {
    super(message);
    this.exitCode = 128 + (constants.signals[signal] ?? 2);
  }
}

/**
 * Runs `cleanup` and ends the process on SIGINT / SIGTERM (exit 130 / 143). `say` gives the
 * one line printed; a launched rank passes null and stays quiet, as its launcher prints it.
 * Returns the function that removes the handlers.
 */
export function onInterrupt(cleanup: () => void, say: ((signal: NodeJS.Signals) => string) | null): () => void {
  const handler = (signal: NodeJS.Signals) => {
    try {
      cleanup();
    } finally {
      if (say) process.stderr.write(`${say(signal)}\n`);
      process.exit(128 + (constants.signals[signal] ?? 2));
    }
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}
