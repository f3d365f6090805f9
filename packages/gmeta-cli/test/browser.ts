/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

/** Debian's chromium (scripts/bootstrap installs it), or the one GMETA_CHROMIUM names; null when absent. */
export function findChromium(): string | null {
  for (const p of [process.env.GMETA_CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser"]) if (p && existsSync(p)) return p;
  return null;
}

export interface PageCheck {
  /** Console errors, uncaught exceptions and every request that is not the page's own file. */
  problems: string[];
  /** Per chart (figure.chart): the marks drawn with a non-empty box (lines, bars, dots). */
  charts: { id: string; marks: number }[];
}

/** Opens a local HTML file in headless Chromium with a fresh profile and reports what it drew. */
export async function checkPage(executablePath: string, file: string): Promise<PageCheck> {
  const profile = mkdtempSync(join(tmpdir(), "gmeta-chromium-"));
  // launchPersistentContext passes --user-data-dir; headless adds --headless.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
  });
  const url = pathToFileURL(file).href;
  const problems: string[] = [];
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
    page.on("pageerror", (e) => problems.push(`exception: ${String(e)}`));
    page.on("request", (r) => r.url() !== url && problems.push(`request: ${r.url()}`));
    await page.goto(url, { waitUntil: "load" });
    const charts = await page.evaluate(() =>
      [...document.querySelectorAll("figure.chart")].map((f) => ({
        id: f.id,
        marks: [...f.querySelectorAll('g[aria-label="line"] path, g[aria-label="bar"] rect, g[aria-label="dot"] circle')].filter((e) => {
          const b = e.getBoundingClientRect();
          return b.width > 0 || b.height > 0;
        }).length,
      })),
    );
    return { problems, charts };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
