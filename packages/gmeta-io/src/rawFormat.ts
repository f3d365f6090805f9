/** The raw sample formats readers and writers understand. */
export type RawFormat = "csv" | "arrow" | "parquet";

/** The format a file name implies (`.csv`, `.arrow`/`.ipc`/`.feather`, `.parquet`/`.pq`), or `fallback`. */
export function formatOf(file: string, fallback?: RawFormat): RawFormat {
  const lower = file.toLowerCase();
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".arrow") || lower.endsWith(".ipc") || lower.endsWith(".feather")) return "arrow";
  if (lower.endsWith(".parquet") || lower.endsWith(".pq")) return "parquet";
  if (fallback) return fallback;
  throw new Error(`${file}: cannot tell the format from the name; pass format: "csv" | "arrow" | "parquet"`);
}
