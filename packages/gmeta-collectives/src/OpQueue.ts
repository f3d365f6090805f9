/**
 * Runs async operations one after another in call order. Every rank must issue collectives
 * in the same order, and libuv's thread pool would otherwise run two of them at once and in
 * any order; the queue keeps the order while the caller's JS keeps running.
 */
export class OpQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Starts fn once every earlier operation has settled; resolves with fn's result. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Resolves when everything queued so far has settled. */
  drain(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
