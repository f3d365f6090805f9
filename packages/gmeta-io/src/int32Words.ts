const cache = new WeakMap<ArrayBufferView, Int32Array>();

/**
 * An Int32Array over the same bytes as `a` (cached per array). Copying int64 ids as pairs of
 * int32 words avoids boxing each id as a BigInt; copying floats as words moves their exact bits.
 */
export function int32Words(a: BigInt64Array | Float32Array | Int32Array): Int32Array {
  let w = cache.get(a);
  if (!w) {
    w = new Int32Array(a.buffer, a.byteOffset, a.byteLength / 4);
    cache.set(a, w);
  }
  return w;
}
