const OFFSET = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const MASK = (1n << 64n) - 1n;
const utf8 = new TextEncoder();

/**
 * The 64-bit id of a string id: FNV-1a (64-bit) of its UTF-8 bytes, as a signed int64. A
 * hashed slot then maps it into its table like any integer id (SplitMix64's finaliser mod
 * hashBuckets, @gmeta/embedding's hashId). Stable by contract: prepared data and checkpoints
 * depend on it.
 * @example hashStringId("") === BigInt.asIntN(64, 0xcbf29ce484222325n)
 */
export function hashStringId(text: string): bigint {
  let h = OFFSET;
  for (const b of utf8.encode(text)) h = ((h ^ BigInt(b)) * PRIME) & MASK;
  return BigInt.asIntN(64, h);
}

/**
 * The int64 id of a text id in a hashed slot, the same in every format: text that is a decimal
 * int64 is that integer (CSV has no types, so "42" must mean 42 everywhere), any other text
 * is a string id (hashStringId).
 */
export function textId(text: string): bigint {
  const t = text.trim();
  if (/^-?\d{1,19}$/.test(t)) {
    const big = BigInt(t);
    if (big >= -(2n ** 63n) && big < 2n ** 63n) return big;
  }
  return hashStringId(text);
}
