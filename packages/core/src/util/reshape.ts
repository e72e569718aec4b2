import { tf } from '../tf.js';

/**
 * `t` reshaped to `shape` (one entry may be -1), or `t` itself when it already has that shape:
 * tf.reshape always runs a kernel, which counts in loops of small ops (gradient ascent). The result
 * may be `t`: do not dispose it separately.
 */
export function reshapeIfNeeded<T extends tf.Tensor>(t: tf.Tensor, shape: readonly number[]): T {
  const known = shape.reduce((a, b) => (b === -1 ? a : a * b), 1);
  const full = shape.map((d) => (d === -1 ? t.size / known : d));
  const same = t.shape.length === full.length && t.shape.every((d, i) => d === full[i]);
  return (same ? t : tf.reshape(t, full)) as T;
}
