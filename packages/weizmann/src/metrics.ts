import type { Dataset, Oracle, OracleMap } from '@alen/core';
import { AlenError, detached, tf } from '@alen/core';

/**
 * Soft IOU per example, Σ min(y, y*) / Σ max(y, y*) over all pixels (DVN Eq. 3 extended to [0,1]).
 * Equals the hard IOU on 0/1 masks. When both masks are empty (union 0) the IOU is 1: predicting
 * "no horse" for an image without a horse is a perfect answer (same convention as {@link evaluateMasks}).
 */
export const softIou: Oracle = (y, yStar) =>
  tf.tidy(() => {
    if (y.size !== yStar.size || y.shape[0] !== yStar.shape[0]) {
      throw new AlenError('SHAPE_MISMATCH', `softIou: y [${y.shape}] and y* [${yStar.shape}] differ`);
    }
    const B = y.shape[0]!;
    const a = tf.reshape(y, [B, -1]);
    const b = tf.reshape(yStar, [B, -1]);
    const inter = tf.sum(tf.minimum(a, b), 1);
    const union = tf.sum(tf.maximum(a, b), 1);
    const safe = tf.maximum(union, 1e-12);
    // The test is detached: TF.js has no gradient for Greater, and the oracle must stay differentiable.
    return tf.where(detached(() => tf.greater(union, 0)), tf.div(inter, safe), tf.onesLike(union)) as tf.Tensor1D;
  });

/**
 * Soft agreement per pixel, `1 − |y − y*|` ([B, H, W] for masks [B, H, W, 1]): 1 where the pixel
 * is right, the IOU's local part. What an energy fitted per pixel (`energyFit: 'map'`) learns; IOU
 * itself does not split into pixels.
 */
export const pixelAgreement: OracleMap = (y, yStar) =>
  tf.tidy(() => {
    if (y.size !== yStar.size || y.rank < 3) {
      throw new AlenError('SHAPE_MISMATCH', `pixelAgreement: y [${y.shape}] and y* [${yStar.shape}] differ or are not [B, H, W(, 1)]`);
    }
    const [B, H, W] = y.shape as number[];
    return tf.sub(1, tf.abs(tf.sub(tf.reshape(y, [B!, H!, W!]), tf.reshape(yStar, [B!, H!, W!]))));
  });

export interface IouCounts {
  /** Per-image IOU in [0, 1] (1 for an empty union). */
  readonly perImage: Float64Array;
  readonly intersection: number;
  readonly union: number;
  readonly correctPixels: number;
}

/** Intersections and unions of masks binarized at 0.5 (y ≥ 0.5 is foreground), `n` images of `d` pixels. */
export function iouCounts(pred: ArrayLike<number>, target: ArrayLike<number>, n: number, d: number): IouCounts {
  const perImage = new Float64Array(n);
  let inter = 0;
  let union = 0;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let ii = 0;
    let uu = 0;
    for (let j = i * d; j < (i + 1) * d; j++) {
      const p = pred[j]! >= 0.5;
      const t = target[j]! >= 0.5;
      if (p && t) ii++;
      if (p || t) uu++;
      if (p === t) correct++;
    }
    perImage[i] = uu === 0 ? 1 : ii / uu;
    inter += ii;
    union += uu;
  }
  return { perImage, intersection: inter, union, correctPixels: correct };
}

/**
 * Weizmann metrics in percent: `meanIou` = IOU averaged over images, `globalIou` = total
 * intersection / total union over the split (the two numbers of DVN Table 2 and ALEN Table 3),
 * and `pixelAccuracy`. Predictions are binarized at 0.5; an image with an empty union counts as 100.
 */
export function evaluateMasks(pred: Float32Array, data: Dataset): Record<string, number> {
  const d = data.yShape.reduce((a, b) => a * b, 1);
  if (pred.length !== data.size * d) {
    throw new AlenError('SHAPE_MISMATCH', `evaluate ${data.name}: got ${pred.length} predicted values, expected ${data.size} × ${d}`);
  }
  if (data.size === 0) return { meanIou: 0, globalIou: 0, pixelAccuracy: 0 };
  const c = iouCounts(pred, data.y, data.size, d);
  let sum = 0;
  for (const v of c.perImage) sum += v;
  return {
    meanIou: (100 * sum) / data.size,
    globalIou: c.union === 0 ? 100 : (100 * c.intersection) / c.union,
    pixelAccuracy: (100 * c.correctPixels) / (data.size * d),
  };
}
