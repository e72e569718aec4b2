import type { TestViews } from '../types.js';
import { AlenError } from '../errors.js';
import { tf } from '../tf.js';

/**
 * Test-time crop views for image tasks trained on random crops (`cropFlipAugment`): predict each
 * crop, average the crops' outputs per pixel (or ascend jointly over all of them).
 *
 * Offsets (per axis) of the 36 test-time crops of 24×24 out of a 32×32 image. The DVN paper says
 * only "masks are averaged over 36 crops" (§5.2); its public code (gyglim/dvn) holds the Bibtex
 * part only. These offsets come from the public PyTorch reimplementation of DVN on Weizmann horses
 * (Hsu & Beardsell, Université de Montréal: `thirty_six_crop` / `average_over_crops`): crops at
 * every (top, left) pair of {0, 2, 3, 4, 5, 8}, a 6×6 grid denser near the centre, covering every pixel.
 */
export const DVN_OFFSETS: readonly number[] = [0, 2, 3, 4, 5, 8];

/** `count` offsets spread evenly over 0..range (rounded): the default for other image/crop sizes. */
export function evenOffsets(range: number, count: number): number[] {
  if (count === 1 || range === 0) return [0];
  return Array.from({ length: count }, (_, i) => Math.round((i * range) / (count - 1)));
}

export interface CropViewsOptions {
  /** Side of the full (square) image (default 32). */
  readonly size?: number;
  /** Side of each crop (default 24). */
  readonly crop?: number;
  /** Offsets per axis; crop k = (top = offsets[k / n], left = offsets[k % n]). Default: DVN's for 32/24, else 6 evenly spread. */
  readonly offsets?: readonly number[];
}

export interface CropViews extends TestViews {
  readonly size: number;
  readonly crop: number;
  readonly offsets: readonly number[];
  /** Number of views per image (offsets²). */
  readonly count: number;
  /** How many crops cover each pixel, [size·size] row-major. */
  readonly coverage: Float32Array;
  splitOutput(y: tf.Tensor): tf.Tensor;
}

/**
 * Test-time crops: `split` maps [B, size, size, C] to [B·K, crop, crop, C] (example-major: view k of
 * example b is row b·K + k), `merge` maps [B·K, crop, crop, C] back to [B, size, size, C] averaging
 * each pixel over the crops that cover it. `split` is made of slice/stack/reshape, so gradients flow
 * through it: `splitOutput` is the same function, for joint inference over all crops.
 */
export function createCropViews(opts: CropViewsOptions = {}): CropViews {
  const size = opts.size ?? 32;
  const crop = opts.crop ?? 24;
  const offsets = [...(opts.offsets ?? (size === 32 && crop === 24 ? DVN_OFFSETS : evenOffsets(size - crop, 6)))];
  if (crop > size) throw new AlenError('BAD_CONFIG', `test views: crop ${crop} is larger than the image (${size})`);
  for (const o of offsets) {
    if (!Number.isInteger(o) || o < 0 || o + crop > size) {
      throw new AlenError('BAD_CONFIG', `test views: offset ${o} puts a ${crop}×${crop} crop outside the ${size}×${size} image`);
    }
  }
  const cover1d = new Float32Array(size);
  for (const o of offsets) for (let i = o; i < o + crop; i++) cover1d[i]! += 1;
  const uncovered = cover1d.findIndex((c) => c === 0);
  if (uncovered >= 0) throw new AlenError('BAD_CONFIG', `test views: offsets [${offsets}] leave row/column ${uncovered} uncovered`);
  const coverage = new Float32Array(size * size);
  for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) coverage[r * size + c] = cover1d[r]! * cover1d[c]!;
  const corners: Array<[number, number]> = [];
  for (const top of offsets) for (const left of offsets) corners.push([top, left]);
  const K = corners.length;

  const split = (x: tf.Tensor): tf.Tensor =>
    tf.tidy(() => {
      if (x.rank !== 4 || x.shape[1] !== size || x.shape[2] !== size) {
        throw new AlenError('SHAPE_MISMATCH', `test views: expected [B, ${size}, ${size}, C], got [${x.shape}]`);
      }
      const [B, , , C] = x.shape as [number, number, number, number];
      const pieces = corners.map(([t, l]) => tf.slice(x, [0, t, l, 0], [B, crop, crop, C]));
      return tf.reshape(tf.stack(pieces, 1), [B * K, crop, crop, C]);
    });

  const merge = (y: tf.Tensor, batchSize: number): tf.Tensor =>
    tf.tidy(() => {
      if (y.rank !== 4 || y.shape[0] !== batchSize * K || y.shape[1] !== crop || y.shape[2] !== crop) {
        throw new AlenError('SHAPE_MISMATCH', `test views: expected [${batchSize}·${K}, ${crop}, ${crop}, C] to merge, got [${y.shape}]`);
      }
      const C = y.shape[3]!;
      const per = tf.reshape(y, [batchSize, K, crop, crop, C]);
      const padded = corners.map(([t, l], k) =>
        tf.pad(tf.reshape(tf.slice(per, [0, k, 0, 0, 0], [batchSize, 1, crop, crop, C]), [batchSize, crop, crop, C]), [
          [0, 0],
          [t, size - crop - t],
          [l, size - crop - l],
          [0, 0],
        ]),
      );
      return tf.div(tf.addN(padded), tf.tensor4d(coverage, [1, size, size, 1]));
    });

  return { size, crop, offsets, count: K, coverage, split, merge, splitOutput: split };
}
