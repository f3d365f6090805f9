const MASK64 = (1n << 64n) - 1n;

/**
 * The row a hashed table stores `id` in: SplitMix64's finaliser of the id's 64 bits, mod rows.
 * Stable by contract: hashed checkpoints depend on it, so it never changes. This is the plain
 * reference; lookups use the identical native version.
 * @example hashId(42n, 1000) // always the same row in [0, 1000)
 */
export function hashId(id: bigint, rows: number): number {
  let z = BigInt.asUintN(64, id);
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  z ^= z >> 31n;
  return Number(z % BigInt(rows));
}
