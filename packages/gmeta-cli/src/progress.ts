/**
 * Progress on long work: a redrawn bar on a terminal, plain lines (at most one per
 * `every` ms) when output goes to a file or a pipe.
 */
export class Progress {
  private last = 0;
  private readonly tty: boolean;
  private readonly start = Date.now();

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly every = 2000,
  ) {
    this.tty = !!out.isTTY && !process.env.CI;
  }

  update(done: number, note = ""): void {
    const now = Date.now();
    const final = done >= this.total;
    if (!final && now - this.last < (this.tty ? 100 : this.every)) return;
    this.last = now;
    const frac = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const secs = ((now - this.start) / 1000).toFixed(1);
    if (this.tty) {
      const width = 24;
      const fill = Math.round(frac * width);
      const bar = `${"█".repeat(fill)}${"░".repeat(width - fill)}`;
      this.out.write(`\r${this.label} ${bar} ${done}/${this.total} ${secs}s ${note}\x1b[K${final ? "\n" : ""}`);
    } else {
      this.out.write(`${this.label}: ${done}/${this.total} (${Math.round(frac * 100)}%) ${secs}s ${note}\n`);
    }
  }
}

/** One status line on stderr. */
export function status(msg: string): void {
  process.stderr.write(`${msg}\n`);
}
