import { empty } from "@gmeta/tensor";
import type { Tensor } from "@gmeta/tensor";

import type { Exchange } from "./Exchange.js";

interface Pending {
  send?: { data: ArrayLike<unknown>; counts: readonly number[]; width: number; like: Tensor };
  resolve: (v: { recv: Tensor; recvCounts: number[] }) => void;
}

/** The shared rendezvous of one in-process group: the k-th call of every rank meets here. */
class LocalHub {
  private readonly rounds = new Map<number, Pending[]>();

  constructor(readonly size: number) {}

  call(rank: number, round: number, p: Pending): void {
    let slots = this.rounds.get(round);
    if (!slots) this.rounds.set(round, (slots = new Array<Pending>(this.size)));
    slots[rank] = p;
    if (slots.filter(Boolean).length < this.size) return;
    this.rounds.delete(round);
    this.complete(slots);
  }

  private complete(slots: Pending[]): void {
    if (!slots[0]!.send) {
      for (const s of slots) s.resolve({ recv: undefined as unknown as Tensor, recvCounts: [] });
      return;
    }
    const kinds = new Set(slots.map((s) => (s.send ? `${s.send.like.dtype}/${s.send.width}` : "barrier")));
    if (kinds.size !== 1) throw new Error(`LocalExchange: ranks disagree on the call: ${[...kinds].join(" vs ")}`);
    for (let dst = 0; dst < this.size; dst++) {
      const recvCounts = slots.map((s) => s.send!.counts[dst]!);
      const { width, like } = slots[dst]!.send!;
      const total = recvCounts.reduce((a, b) => a + b, 0);
      const recv = empty([total, ...like.shape.slice(1)], { dtype: like.dtype });
      const out = recv.hostView() as unknown as { set(a: ArrayLike<unknown>, o: number): void };
      let at = 0;
      for (let src = 0; src < this.size; src++) {
        const s = slots[src]!.send!;
        const start = s.counts.slice(0, dst).reduce((a, b) => a + b, 0) * width;
        const n = s.counts[dst]! * width;
        out.set((s.data as unknown as { subarray(a: number, b: number): ArrayLike<unknown> }).subarray(start, start + n), at);
        at += n;
      }
      slots[dst]!.resolve({ recv, recvCounts });
    }
  }
}

class LocalExchange implements Exchange {
  private round = 0;

  constructor(
    private readonly hub: LocalHub,
    readonly rank: number,
  ) {}

  get size(): number {
    return this.hub.size;
  }

  allToAllV(send: Tensor, sendCounts: readonly number[]): Promise<{ recv: Tensor; recvCounts: number[] }> {
    if (sendCounts.length !== this.size || sendCounts.reduce((a, b) => a + b, 0) !== send.shape[0]) {
      return Promise.reject(new Error(`allToAllV: expected ${this.size} row counts summing to ${send.shape[0]} for sendCounts, got [${sendCounts.join(", ")}]`));
    }
    const width = send.shape.slice(1).reduce((a, b) => a * b, 1);
    const data = send.hostView();
    return new Promise((resolve) => this.hub.call(this.rank, this.round++, { send: { data, counts: sendCounts, width, like: send }, resolve }));
  }

  barrier(): Promise<void> {
    return new Promise((resolve) => this.hub.call(this.rank, this.round++, { resolve: () => resolve() }));
  }
}

/**
 * `size` exchanges that talk to each other inside one process, for tests and single-process
 * runs: rank r's k-th call meets every other rank's k-th call, as over a real process group.
 * @example const [a, b] = createLocalExchanges(2);
 */
export function createLocalExchanges(size: number): Exchange[] {
  if (!Number.isSafeInteger(size) || size < 1) throw new Error(`createLocalExchanges: expected a positive integer for size, got ${size}`);
  const hub = new LocalHub(size);
  return Array.from({ length: size }, (_, r) => new LocalExchange(hub, r));
}
