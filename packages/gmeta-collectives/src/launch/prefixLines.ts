import type { Readable } from "node:stream";

/**
 * Copies a child's output to out with every line prefixed (e.g. "[rank 1] "), so the
 * interleaved output of several ranks stays readable. A last line without newline is kept.
 */
export function prefixLines(from: Readable, out: NodeJS.WritableStream, prefix: string): Promise<void> {
  let partial = "";
  from.setEncoding("utf8");
  from.on("data", (chunk: string) => {
    const text = partial + chunk;
    const cut = text.lastIndexOf("\n");
    if (cut < 0) {
      partial = text;
      return;
    }
    partial = text.slice(cut + 1);
    const lines = text.slice(0, cut).split("\n");
    out.write(lines.map((l) => `${prefix}${l}\n`).join(""));
  });
  return new Promise((resolve) => {
    from.on("close", () => {
      if (partial) out.write(`${prefix}${partial}\n`);
      resolve();
    });
  });
}
