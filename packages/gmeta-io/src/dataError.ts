/** Where in an input a problem was found; every field is optional but the file. */
export interface DataLocation {
  file: string;
  /** 1-based data row, or "header" / "schema" for problems before the first row. */
  row?: number | "header" | "schema";
  column?: string;
}

/**
 * An input that cannot be used. The message always starts with the file and, when known,
 * the 1-based data row and the column, so a user can open the file at the right place.
 */
export class DataError extends Error {
  readonly file: string;
  readonly row: DataLocation["row"];
  readonly column: string | undefined;

  constructor(where: DataLocation, what: string) {
    super(`${formatLocation(where)}: ${what}`);
    this.name = "DataError";
    this.file = where.file;
    this.row = where.row;
    this.column = where.column;
  }
}

/** Formats a location as `file, row R, column "C"`. */
export function formatLocation(where: DataLocation): string {
  let s = where.file;
  if (typeof where.row === "number") s += `, row ${where.row}`;
  else if (where.row !== undefined) s += `, ${where.row}`;
  if (where.column !== undefined) s += `, column "${where.column}"`;
  return s;
}
