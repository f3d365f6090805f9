import { connect, type Socket } from "node:net";
import { FrameSplitter, Op, Reader, Writer } from "./protocol.js";

/** Options of a TypeScript store client. */
export interface StoreClientOptions {
  host: string;
  port: number;
  token: string;
  /** Reported to the server so it can tell when this rank is gone; -1 for none. */
  rank?: number;
  timeoutMs?: number;
}

/**
 * A TypeScript client of the rendezvous store (the native one is native/core/tcp_store.cc).
 * Used for job-level keys (the NCCL unique id later) and to test the server.
 */
export class StoreClient {
  private readonly split = new FrameSplitter();
  private readonly pending: Array<{ resolve: (b: Buffer) => void; reject: (e: Error) => void }> = [];
  private error: Error | undefined;

  private constructor(
    private readonly sock: Socket,
    private readonly timeoutMs: number,
  ) {
    sock.on("data", (chunk) => {
      for (const f of this.split.push(chunk)) this.pending.shift()?.resolve(f);
    });
    const fail = (e: Error) => {
      this.error = e;
      for (const p of this.pending.splice(0)) p.reject(e);
    };
    sock.on("error", fail);
    sock.on("close", () => fail(new Error("store: connection closed by the server")));
  }

  /** Connects and presents the token; rejects when the server refuses it. */
  static async connect(opts: StoreClientOptions): Promise<StoreClient> {
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const sock = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: opts.host, port: opts.port }, () => resolve(s));
      s.once("error", reject);
    });
    sock.setNoDelay(true);
    const c = new StoreClient(sock, timeoutMs);
    try {
      await c.request(new Writer().u8(Op.Hello).str(opts.token).u32((opts.rank ?? -1) >>> 0));
    } catch (e) {
      sock.destroy();
      throw e;
    }
    return c;
  }

  /** Stores value under key. */
  async set(key: string, value: Uint8Array | string): Promise<void> {
    const v = typeof value === "string" ? Buffer.from(value) : value;
    await this.request(new Writer().u8(Op.Set).str(key).bytes(v));
  }

  /** The value of key, waiting for it up to the timeout. */
  async get(key: string, timeoutMs = this.timeoutMs): Promise<Buffer> {
    const r = await this.request(new Writer().u8(Op.Get).str(key).u32(timeoutMs));
    return Buffer.from(r.bytes());
  }

  /** Resolves when every key exists; rejects naming the missing ones after the timeout. */
  async wait(keys: string[], timeoutMs = this.timeoutMs): Promise<void> {
    const w = new Writer().u8(Op.Wait).u32(keys.length);
    for (const k of keys) w.str(k);
    await this.request(w.u32(timeoutMs));
  }

  /** Adds delta to the counter at key and returns the new total. */
  async add(key: string, delta: number): Promise<number> {
    const r = await this.request(new Writer().u8(Op.Add).str(key).i64(BigInt(delta)));
    return Number(r.i64());
  }

  /** Ranks whose connections to the store all closed. */
  async gone(): Promise<number[]> {
    const r = await this.request(new Writer().u8(Op.Gone));
    return Array.from({ length: r.u32() }, () => r.u32());
  }

  /** Tells the store this rank is alive (no reply; see StoreServer.silentRanks). */
  beat(): void {
    if (!this.error) this.sock.write(new Writer().u8(Op.Beat).frame());
  }

  /** Ranks still connected whose heartbeats stopped, and for how long (ms). */
  async silent(): Promise<{ rank: number; ms: number }[]> {
    const r = await this.request(new Writer().u8(Op.Silent));
    return Array.from({ length: r.u32() }, () => ({ rank: r.u32(), ms: r.u32() }));
  }

  /** Lets the process exit while this connection is open. */
  unref(): void {
    this.sock.unref();
  }

  /** Closes the connection. */
  close(): void {
    this.sock.destroy();
  }

  private request(w: Writer): Promise<Reader> {
    if (this.error) return Promise.reject(this.error);
    return new Promise<Buffer>((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.sock.write(w.frame());
    }).then((payload) => {
      const r = new Reader(payload);
      if (r.u8() !== 0) throw new Error(`store: ${r.str()}`);
      return r;
    });
  }
}
