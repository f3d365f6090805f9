let enabled = true;

/** Whether ops record themselves for autograd right now. */
export function isGradEnabled(): boolean {
  return enabled;
}

function withMode<T>(on: boolean, fn: () => T): T {
  const prev = enabled;
  enabled = on;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}

/** Runs `fn` without recording ops for autograd (evaluation, optimizer updates). */
export function noGrad<T>(fn: () => T): T {
  return withMode(false, fn);
}

/** Runs `fn` with recording on (inside a `noGrad` block). */
export function enableGrad<T>(fn: () => T): T {
  return withMode(true, fn);
}
