import { tf } from '../tf.js';
import type { Batch } from '../types.js';
import type { Rng } from '../rng.js';
import { AlenError } from '../errors.js';

export interface CropFlipOptions {
  /** Side of the random square crops (default 24, as DVN on 32×32 images); the image side for flips alone. */
  readonly crop?: number;
  /** Random horizontal flips with probability 1/2 (default true). */
  readonly flip?: boolean;
}

/** Where one example is cut: top-left corner and whether it is mirrored left-right. */
export interface CropSpec {
  readonly top: number;
  readonly left: number;
  readonly flip: boolean;
}

/** Draws one crop per example, uniformly over all positions, from core's seeded `Rng`. */
export function drawCrops(rng: Rng, batchSize: number, height: number, width: number, crop: number, flip: boolean): CropSpec[] {
  if (crop > height || crop > width) {
    throw new AlenError('SHAPE_MISMATCH', `cannot cut ${crop}×${crop} crops out of ${height}×${width} images`);
  }
  const specs: CropSpec[] = [];
  for (let b = 0; b < batchSize; b++) {
    const top = rng.int(height - crop + 1);
    const left = rng.int(width - crop + 1);
    specs.push({ top, left, flip: flip && rng.next() < 0.5 });
  }
  return specs;
}

/** Cuts `specs[b]` out of example b of an NHWC tensor (and mirrors it); returns [B, crop, crop, C]. */
export function cropBatch(t: tf.Tensor, specs: readonly CropSpec[], crop: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [B, , , C] = t.shape as [number, number, number, number];
    if (specs.length !== B) throw new AlenError('SHAPE_MISMATCH', `cropBatch: ${specs.length} crops for a batch of ${B}`);
    const parts = specs.map((s, b) => {
      const piece = tf.slice(t, [b, s.top, s.left, 0], [1, crop, crop, C]);
      return s.flip ? tf.reverse(piece, 2) : piece;
    });
    return tf.concat(parts, 0) as tf.Tensor4D;
  });
}

/**
 * Training-time augmentation for dense image outputs: image and target of each example get the same
 * random crop and the same random horizontal flip. Takes x [B,H,W,C] and y [B,H,W,K], returns a new
 * batch of crops and disposes the input tensors.
 */
export function cropFlipAugment(opts: CropFlipOptions = {}): (batch: Batch, rng: Rng) => Batch {
  const crop = opts.crop ?? 24;
  const flip = opts.flip ?? true;
  if (!Number.isInteger(crop) || crop < 1) throw new AlenError('BAD_CONFIG', `crop must be a positive integer, got ${String(crop)}`);
  return (batch, rng) => {
    const { x, y } = batch;
    if (x.rank !== 4 || y.rank !== 4 || x.shape[0] !== y.shape[0] || x.shape[1] !== y.shape[1] || x.shape[2] !== y.shape[2]) {
      throw new AlenError('SHAPE_MISMATCH', `augment: expected x [B,H,W,C] and y [B,H,W,K] of one size, got [${x.shape}] and [${y.shape}]`);
    }
    const [B, H, W] = x.shape as [number, number, number, number];
    const specs = drawCrops(rng, B, H, W, crop, flip);
    const out = { x: cropBatch(x, specs, crop), y: cropBatch(y, specs, crop) };
    x.dispose();
    y.dispose();
    return out;
  };
}
