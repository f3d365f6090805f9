/** Entry point of the `gmeta` command; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  process.stderr.write(`gmeta: no commands yet (got ${JSON.stringify(argv)})\n`);
  return 1;
}
