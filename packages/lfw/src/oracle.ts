import { AlenError, tf, type Oracle, type OracleMap } from '@alen/core';

/**
 * Soft pixel accuracy `mean_p Σ_c min(y_pc, y*_pc)` per example: equals pixel accuracy when both
 * maps are one-hot, and 1 exactly when y = y*. Inputs [B, ..., C].
 */
export const softPixelAccuracy: Oracle = (y, yStar) =>
  tf.tidy(() => {
    const B = y.shape[0]!;
    const C = y.shape[y.shape.length - 1]!;
    const m = tf.minimum(tf.reshape(y, [B, -1, C]), tf.reshape(yStar, [B, -1, C]));
    return tf.mean(tf.sum(m, -1), -1) as tf.Tensor1D;
  });

/**
 * {@link softPixelAccuracy} per pixel, `Σ_c min(y_pc, y*_pc)`, [B, H, W] for inputs [B, H, W, C]:
 * its mean over the pixels is the oracle. What an energy fitted per pixel (`energyFit: 'map'`) learns.
 */
export const softPixelAccuracyMap: OracleMap = (y, yStar) =>
  tf.tidy(() => {
    if (y.size !== yStar.size || y.rank < 2) throw new AlenError('SHAPE_MISMATCH', `softPixelAccuracyMap: y [${y.shape}] and y* [${yStar.shape}] differ`);
    return tf.sum(tf.minimum(y, tf.reshape(yStar, y.shape)), -1);
  });
