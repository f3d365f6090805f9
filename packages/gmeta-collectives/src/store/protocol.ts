/**
 * Wire format of the rendezvous store, shared with native/core/tcp_store.cc. Every message is
 * a frame: u32 little-endian length, then the payload. A request starts with an op byte; a
 * reply starts with a status byte (0 ok, 1 error followed by a string). Strings and byte
 * values are u32 length + bytes.
 *
 *   HELLO token, i32 rank     -> ok              (must come first; a wrong token closes)
 *   SET   key, value          -> ok
 *   GET   key, u32 timeoutMs  -> ok value        (waits for the key)
 *   WAIT  u32 n, n keys, u32 timeoutMs -> ok
 *   ADD   key, i64 delta      -> ok i64 total
 *   GONE                      -> ok u32 n, n i32 ranks whose connections all closed
 *   BEAT                      -> (no reply)      this connection's rank is alive
 *   SILENT                    -> ok u32 n, n (i32 rank, u32 ms) ranks connected but silent that long
 */
export const Op = { Hello: 1, Set: 2, Get: 3, Wait: 4, Add: 5, Gone: 6, Beat: 7, Silent: 8 } as const;

/** Largest frame accepted from an authenticated client; rendezvous values are addresses, far below this. */
export const MAX_FRAME = 16 << 20;

/** Largest first frame (HELLO: a token and a rank); anything bigger is refused unread. */
export const MAX_HELLO = 1024;

/** Appends fields to a growing payload. */
export class Writer {
  private parts: Buffer[] = [];
  u8(v: number): this {
    this.parts.push(Buffer.from([v]));
    return this;
  }
  u32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    this.parts.push(b);
    return this;
  }
  i64(v: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(v);
    this.parts.push(b);
    return this;
  }
  bytes(v: Uint8Array): this {
    this.u32(v.length);
    this.parts.push(Buffer.from(v));
    return this;
  }
  str(v: string): this {
    return this.bytes(Buffer.from(v, "utf8"));
  }
  /** The framed message: length prefix + payload. */
  frame(): Buffer {
    const body = Buffer.concat(this.parts);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(body.length);
    return Buffer.concat([len, body]);
  }
}

/** Reads fields from one payload; throws on truncation so a bad client cannot crash the server. */
export class Reader {
  private at = 0;
  constructor(private readonly buf: Buffer) {}
  // Claims the next n bytes and returns where they start.
  private take(n: number): number {
    if (this.at + n > this.buf.length) throw new Error("store: truncated message");
    const at = this.at;
    this.at += n;
    return at;
  }
  u8(): number {
    return this.buf.readUInt8(this.take(1));
  }
  u32(): number {
    return this.buf.readUInt32LE(this.take(4));
  }
  i32(): number {
    return this.buf.readInt32LE(this.take(4));
  }
  i64(): bigint {
    return this.buf.readBigInt64LE(this.take(8));
  }
  bytes(): Buffer {
    const n = this.u32();
    const at = this.take(n);
    return this.buf.subarray(at, at + n);
  }
  str(): string {
    return this.bytes().toString("utf8");
  }
}

/** Splits a byte stream into frame payloads. */
export class FrameSplitter {
  private pending: Buffer = Buffer.alloc(0);
  /** The largest frame accepted now (a server lowers it until the client has authenticated). */
  limit = MAX_FRAME;
  /** Bytes held for a frame not yet complete. */
  get buffered(): number {
    return this.pending.length;
  }

  /** Feeds bytes; returns the complete payloads, throws on an oversized frame. */
  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: Buffer[] = [];
    while (this.pending.length >= 4) {
      const n = this.pending.readUInt32LE(0);
      if (n > this.limit) throw new Error(`store: frame of ${n} bytes exceeds the limit of ${this.limit}`);
      if (this.pending.length < 4 + n) break;
      out.push(this.pending.subarray(4, 4 + n));
      this.pending = this.pending.subarray(4 + n);
    }
    return out;
  }
}
