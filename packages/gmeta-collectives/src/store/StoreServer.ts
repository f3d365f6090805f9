import { timingSafeEqual } from "node:crypto";
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { FrameSplitter, MAX_FRAME, MAX_HELLO, Op, Reader, Writer } from "./protocol.js";

/** Options of a rendezvous store server. */
export interface StoreServerOptions {
  /** Clients must present this token first; anything else is refused and logged. */
  token: string;
  /** Address to bind; loopback unless a multi-host job needs another. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Where refusals and protocol errors are reported (stderr by default). */
  log?: (line: string) => void;
  /** A client that has not presented the token this long after connecting is dropped (ms, default 5000). */
  authTimeoutMs?: number;
  /** Most bytes one client may make the store hold: values set plus a frame in flight (default 64 MiB). */
  maxClientBytes?: number;
  /** Most clients connected but not yet authenticated; more are dropped at once (default 64). */
  maxPending?: number;
  /** A rank that sent heartbeats is reported silent once none came for this long (ms, default 3000). */
  silentAfterMs?: number;
}

/** Refusal lines beyond this many are counted, not printed, so a flood cannot flood the log too. */
const LOGGED_REFUSALS = 20;

interface Waiter {
  keys: string[];
  done: () => void;
  timer: NodeJS.Timeout;
}

/**
 * The key-value server Gloo's rendezvous talks to (Gloo has no TCP store). It also watches
 * which ranks' connections closed, so a failed collective can name the dead peer.
 */
export class StoreServer {
  private readonly data = new Map<string, Buffer>();
  private waiters: Waiter[] = [];
  private readonly openByRank = new Map<number, number>();
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  private readonly log: (line: string) => void;
  /** Clients refused (wrong token, no token in time, oversized frame, over their cap), for tests and reports. */
  refused = 0;
  private unrefed = false;
  private pendingAuth = 0;
  private readonly lastBeat = new Map<number, number>();

  private constructor(private readonly opts: StoreServerOptions) {
    this.log = opts.log ?? ((l) => process.stderr.write(`${l}\n`));
  }

  /** Starts a server and resolves once it listens. */
  static async start(opts: StoreServerOptions): Promise<StoreServer> {
    if (!opts.token) throw new TypeError("StoreServer: expected a non-empty string for token, got nothing");
    const s = new StoreServer(opts);
    await s.listen();
    return s;
  }

  /** The bound address. */
  get address(): { host: string; port: number } {
    const a = this.server?.address() as AddressInfo;
    return { host: a.address, port: a.port };
  }

  /** Lets the process exit while the server still listens. */
  unref(): void {
    this.unrefed = true;
    this.server?.unref();
    for (const s of this.sockets) s.unref();
  }

  /** Stops listening and drops every client. */
  async close(): Promise<void> {
    for (const w of this.waiters) clearTimeout(w.timer);
    this.waiters = [];
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private listen(): Promise<void> {
    const server = createServer((sock) => this.accept(sock));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.opts.port ?? 0, this.opts.host ?? "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
  }

  private refuse(sock: Socket, peer: string, why: string, always = false): void {
    this.refused++;
    if (always || this.refused <= LOGGED_REFUSALS) this.log(`[store] refused ${peer}: ${why}`);
    else if (this.refused % 1000 === 0) this.log(`[store] ${this.refused} clients refused so far (latest ${peer}: ${why})`);
    sock.destroy();
  }

  private accept(sock: Socket): void {
    this.sockets.add(sock);
    if (this.unrefed) sock.unref();
    sock.setNoDelay(true);
    const split = new FrameSplitter();
    // Until the token is checked a client may send one small frame and nothing else.
    split.limit = MAX_HELLO;
    const maxBytes = this.opts.maxClientBytes ?? 64 << 20;
    let held = 0;
    let rank: number | undefined;
    let authed = false;
    const peer = `${sock.remoteAddress}:${sock.remotePort}`;
    this.pendingAuth++;
    let counted = true;
    const settle = () => {
      if (counted) this.pendingAuth--;
      counted = false;
      clearTimeout(deadline);
    };
    const authMs = this.opts.authTimeoutMs ?? 5000;
    const deadline = setTimeout(() => this.refuse(sock, peer, `no job token within ${authMs} ms`), authMs);
    deadline.unref();
    if (this.pendingAuth > (this.opts.maxPending ?? 64)) {
      settle();
      this.refuse(sock, peer, `more than ${this.opts.maxPending ?? 64} clients waiting to authenticate`);
      return;
    }
    sock.on("data", (chunk) => {
      if (sock.destroyed) return;
      let frames: Buffer[];
      try {
        frames = split.push(chunk);
        if (split.buffered > maxBytes - held) throw new Error(`holds more than its cap of ${maxBytes} bytes`);
      } catch (e) {
        this.refuse(sock, peer, (e as Error).message.replace(/^store: /, ""), authed);
        return;
      }
      for (const f of frames) {
        try {
          const r = new Reader(f);
          const op = r.u8();
          if (!authed) {
            if (op !== Op.Hello || !this.tokenMatches(r.str())) {
              settle();
              sock.write(new Writer().u8(1).str("refused: wrong job token").frame());
              this.refuse(sock, peer, "wrong or missing job token");
              return;
            }
            authed = true;
            settle();
            split.limit = MAX_FRAME;
            rank = r.i32();
            if (rank >= 0) this.openByRank.set(rank, (this.openByRank.get(rank) ?? 0) + 1);
            sock.write(new Writer().u8(0).frame());
            continue;
          }
          if (op === Op.Set) {
            held += f.length;
            if (held > maxBytes) {
              // A client that knows the token is one of the job's: always worth a line.
              this.refuse(sock, peer, `set more than its cap of ${maxBytes} bytes`, true);
              return;
            }
          }
          if (op === Op.Beat) {
            if (rank !== undefined && rank >= 0) this.lastBeat.set(rank, Date.now());
            continue;
          }
          this.handle(op, r, sock);
        } catch (e) {
          this.log(`[store] bad request from ${peer}: ${(e as Error).message}`);
          sock.destroy();
          return;
        }
      }
    });
    sock.on("error", () => undefined);
    sock.on("close", () => {
      settle();
      this.sockets.delete(sock);
      if (rank !== undefined && rank >= 0) this.openByRank.set(rank, (this.openByRank.get(rank) ?? 1) - 1);
    });
  }

  /** Ranks still connected whose heartbeats stopped, with how long ago the last one came (ms). */
  silentRanks(now = Date.now()): { rank: number; ms: number }[] {
    const after = this.opts.silentAfterMs ?? 3000;
    return [...this.lastBeat]
      .filter(([r, t]) => now - t > after && (this.openByRank.get(r) ?? 0) > 0)
      .map(([rank, t]) => ({ rank, ms: now - t }))
      .sort((a, b) => a.rank - b.rank);
  }

  private tokenMatches(got: string): boolean {
    const a = Buffer.from(got);
    const b = Buffer.from(this.opts.token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  private handle(op: number, r: Reader, sock: Socket): void {
    const reply = (w: Writer) => sock.writable && sock.write(w.frame());
    switch (op) {
      case Op.Set: {
        const key = r.str();
        this.data.set(key, Buffer.from(r.bytes()));
        reply(new Writer().u8(0));
        this.wake();
        return;
      }
      case Op.Get: {
        const key = r.str();
        const timeoutMs = r.u32();
        this.whenPresent([key], timeoutMs, (missing) =>
          reply(missing ? fail(`get: key ${key} missing after ${timeoutMs} ms`) : new Writer().u8(0).bytes(this.data.get(key)!)),
        );
        return;
      }
      case Op.Wait: {
        const n = r.u32();
        const keys = Array.from({ length: n }, () => r.str());
        const timeoutMs = r.u32();
        this.whenPresent(keys, timeoutMs, (missing) =>
          reply(missing ? fail(`wait: keys ${missing.join(", ")} missing after ${timeoutMs} ms`) : new Writer().u8(0)),
        );
        return;
      }
      case Op.Add: {
        const key = r.str();
        const delta = r.i64();
        const cur = this.data.get(key);
        const total = (cur && cur.length === 8 ? cur.readBigInt64LE(0) : 0n) + delta;
        this.data.set(key, new Writer().i64(total).frame().subarray(4));
        reply(new Writer().u8(0).i64(total));
        this.wake();
        return;
      }
      case Op.Gone: {
        const gone = [...this.openByRank].filter(([, n]) => n <= 0).map(([rank]) => rank).sort((a, b) => a - b);
        const w = new Writer().u8(0).u32(gone.length);
        for (const g of gone) w.u32(g);
        reply(w);
        return;
      }
      case Op.Silent: {
        const silent = this.silentRanks();
        const w = new Writer().u8(0).u32(silent.length);
        for (const x of silent) w.u32(x.rank).u32(Math.min(x.ms, 0xffffffff));
        reply(w);
        return;
      }
      default:
        reply(fail(`unknown op ${op}`));
    }
  }

  private whenPresent(keys: string[], timeoutMs: number, done: (missing?: string[]) => void): void {
    if (keys.every((k) => this.data.has(k))) return done();
    const w: Waiter = {
      keys,
      done: () => done(),
      timer: setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        done(keys.filter((k) => !this.data.has(k)));
      }, Math.max(1, timeoutMs)),
    };
    this.waiters.push(w);
  }

  private wake(): void {
    const ready = this.waiters.filter((w) => w.keys.every((k) => this.data.has(k)));
    if (!ready.length) return;
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) {
      clearTimeout(w.timer);
      w.done();
    }
  }
}

function fail(message: string): Writer {
  return new Writer().u8(1).str(message);
}
