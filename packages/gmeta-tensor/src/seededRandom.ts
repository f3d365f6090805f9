/**
 * A small seeded PRNG (mulberry32) for host-side inputs: uniform in [0, 1), the same sequence
 * for a seed on every rank and process, so model checks and tests can regenerate each other's data.
 */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
