/** What an operating-system error code means, in words a user can act on. */
const CAUSES: Record<string, string> = {
  ENOENT: "no such file or folder",
  EISDIR: "is a folder, expected a file",
  ENOTDIR: "a part of the path is a file, expected a folder",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EEXIST: "already exists",
  EMFILE: "too many open files",
  ENAMETOOLONG: "file name too long",
  EIO: "input/output error",
};

const VERBS: Record<string, string> = {
  open: "open", read: "read", write: "write", mkdir: "create the folder", rename: "rename", stat: "find",
  lstat: "find", unlink: "remove", rmdir: "remove", scandir: "list", opendir: "list", access: "use", copyfile: "copy",
  fsync: "write", ftruncate: "write", close: "write",
};

/** A file or folder operation the operating system refused: the path, what was tried, and why. */
export class FsError extends Error {
  override name = "FsError";
  constructor(
    readonly path: string,
    readonly action: string,
    readonly code: string,
  ) {
    super(`${path}: cannot ${action}: ${CAUSES[code] ?? code} (${code})`);
  }

  /** The cause alone: "no such file or folder (ENOENT)". */
  get reason(): string {
    return `${CAUSES[this.code] ?? this.code} (${this.code})`;
  }
}

interface SystemError {
  code?: unknown;
  path?: unknown;
  dest?: unknown;
  syscall?: unknown;
}

/** Whether `e` is an operating-system error that {@link explainFsError} can name. */
export function isFsError(e: unknown): boolean {
  const code = (e as SystemError | null)?.code;
  return e instanceof Error && typeof code === "string" && code in CAUSES;
}

/**
 * Turns Node's "EISDIR: illegal operation on a directory, read" into the project's message
 * naming the path and the cause; other errors pass through. `path` and `action` override what
 * the error carries (a read of a file descriptor carries no path).
 */
export function explainFsError(e: unknown, path?: string, action?: string): unknown {
  if (e instanceof FsError || !isFsError(e)) return e;
  const s = e as SystemError;
  const where = path ?? (typeof s.path === "string" ? s.path : "(unknown path)");
  const what = action ?? VERBS[String(s.syscall)] ?? String(s.syscall ?? "use");
  return new FsError(where, what, s.code as string);
}
