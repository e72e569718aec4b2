import { AlenError, tf } from '@alen/core';
import type { Dataset, Oracle } from '@alen/core';

/** Thresholds tried by {@link bestThreshold} when none are given: 0.05, 0.10, ..., 0.95. */
export const DEFAULT_THRESHOLDS: readonly number[] = Array.from({ length: 19 }, (_, i) => Math.round((i + 1) * 5) / 100);

function labelsPerExample(data: Dataset): number {
  return data.yShape.reduce((a, b) => a * b, 1);
}

function checkPred(pred: Float32Array, data: Dataset): number {
  const L = labelsPerExample(data);
  if (pred.length !== data.size * L) {
    throw new AlenError(
      'SHAPE_MISMATCH',
      `${data.name}: ${pred.length} predicted values, expected ${data.size} examples × ${L} labels = ${data.size * L}`,
    );
  }
  return L;
}

/**
 * Example-averaged F1 in percent: `pred ≥ threshold` against `truth ≥ 0.5`, per example
 * 2TP / (|pred| + |true|), and 0 when both are empty (sklearn's `average='samples'`,
 * `zero_division=0`, as the DVN reference). An example with no predicted labels scores 0.
 */
export function exampleF1(pred: Float32Array, truth: Float32Array, nLabels: number, threshold = 0.5): number {
  const n = nLabels > 0 ? truth.length / nLabels : 0;
  if (n === 0) return 0;
  let total = 0;
  for (let r = 0; r < n; r++) {
    let tp = 0;
    let np = 0;
    let nt = 0;
    const o = r * nLabels;
    for (let k = 0; k < nLabels; k++) {
      const p = pred[o + k]! >= threshold;
      const t = truth[o + k]! >= 0.5;
      if (p) np++;
      if (t) nt++;
      if (p && t) tp++;
    }
    if (np + nt > 0) total += (2 * tp) / (np + nt);
  }
  return (100 * total) / n;
}

/** Example-averaged F1 (percent) of soft predictions for a split at any threshold. */
export function f1AtThreshold(pred: Float32Array, data: Dataset, threshold = 0.5): number {
  return exampleF1(pred, data.y, checkPred(pred, data), threshold);
}

/**
 * The threshold with the highest example F1 on `data` (use the validation split), for the
 * "best threshold chosen on validation" report. Ties go to the first candidate.
 */
export function bestThreshold(
  pred: Float32Array,
  data: Dataset,
  candidates: readonly number[] = DEFAULT_THRESHOLDS,
): { threshold: number; f1: number } {
  const L = checkPred(pred, data);
  if (candidates.length === 0) throw new AlenError('BAD_CONFIG', 'bestThreshold: no candidate thresholds');
  let best = { threshold: candidates[0]!, f1: -1 };
  for (const t of candidates) {
    const f1 = exampleF1(pred, data.y, L, t);
    if (f1 > best.f1) best = { threshold: t, f1 };
  }
  return best;
}

/**
 * F1 (percent) of `pred` on `data` at the threshold with the best F1 on the validation predictions
 * (`f1ValThreshold`), and that threshold (`valThreshold`, 0–1): the "best threshold chosen on
 * validation" report, beside the 0.5 threshold's `f1`.
 */
export function evaluateAtValThreshold(pred: Float32Array, data: Dataset, val: { readonly pred: Float32Array; readonly data: Dataset }): Record<string, number> {
  const { threshold } = bestThreshold(val.pred, val.data);
  return { f1ValThreshold: f1AtThreshold(pred, data, threshold), valThreshold: threshold };
}

/** The task's metrics of soft predictions (flat `size × L`), in percent: `{ f1 }` at threshold 0.5. */
export function evaluate(pred: Float32Array, data: Dataset): Record<string, number> {
  return { f1: f1AtThreshold(pred, data, 0.5) };
}

/**
 * Soft F1, the oracle h(y, y*) of DVN/ALEN: per example
 * `2 Σmin(y, y*) / (Σmin(y, y*) + max(1e-8, Σmax(y, y*)))`; equals hard F1 on 0/1 inputs
 * (and 0 when both are empty).
 */
export const softF1: Oracle = (y, yStar) =>
  tf.tidy(() => {
    const B = y.shape[0]!;
    const a = tf.reshape(y, [B, -1]);
    const b = tf.reshape(yStar, [B, -1]);
    const mn = tf.sum(tf.minimum(a, b), 1);
    const mx = tf.sum(tf.maximum(a, b), 1);
    return tf.div(tf.mul(mn, 2), tf.add(mn, tf.maximum(mx, 1e-8))) as tf.Tensor1D;
  });
