/**
 * Metrics of soft predictions ([n][32][32][3] flat) against a split, in percent:
 * - pixelAcc32: argmax of the prediction vs argmax of the 32×32 target proportions;
 * - pixelAcc250: prediction bilinearly upsampled to 250×250 then argmax (upsample.ts) vs the
 *   full-resolution label maps;
 * - iouHair, iouFace, iouBackground, meanIou: per-class IOU at 250×250, pooled over the split
 *   (Σ intersection / Σ union over all images; 100 when a class is absent from both);
 * - superpixelAcc: the official metric (superpixels.ts), only when the superpixel files exist.
 */
import { AlenError, type Dataset } from '@alen/core';
import { CLASS_NAMES, FULL_PIXELS, NUM_CLASSES, SIZE, Y_LEN } from './constants.js';
import { lfwMeta } from './meta.js';
import { superpixelCounts } from './superpixels.js';
import { argmaxMap, upsampleArgmax } from './upsample.js';

const IOU_KEYS = ['iouHair', 'iouFace', 'iouBackground'] as const;

export function evaluateLfw(pred: Float32Array, data: Dataset): Record<string, number> {
  const n = data.size;
  if (pred.length !== n * Y_LEN) {
    throw new AlenError('SHAPE_MISMATCH', `${data.name}: ${pred.length} predicted values, expected ${n} × ${SIZE}×${SIZE}×${NUM_CLASSES}`);
  }
  const px = SIZE * SIZE;
  const a = new Uint8Array(px);
  const b = new Uint8Array(px);
  let hit32 = 0;
  for (let i = 0; i < n; i++) {
    argmaxMap(pred, i * Y_LEN, px, NUM_CLASSES, a);
    argmaxMap(data.y, i * Y_LEN, px, NUM_CLASSES, b);
    for (let p = 0; p < px; p++) if (a[p] === b[p]) hit32++;
  }
  const out: Record<string, number> = { pixelAcc32: n ? (100 * hit32) / (n * px) : 0 };
  const meta = lfwMeta(data);
  if (!meta) return out;
  if (meta.classMaps.length !== n * FULL_PIXELS) {
    throw new AlenError('SHAPE_MISMATCH', `${data.name}: meta.classMaps holds ${meta.classMaps.length} pixels, expected ${n} × ${FULL_PIXELS}`);
  }
  const full = meta.fullSize;
  const up = new Uint8Array(FULL_PIXELS);
  const inter = new Float64Array(NUM_CLASSES);
  const union = new Float64Array(NUM_CLASSES);
  let hit250 = 0;
  let spCorrect = 0;
  let spTotal = 0;
  for (let i = 0; i < n; i++) {
    upsampleArgmax(pred, i * Y_LEN, SIZE, SIZE, NUM_CLASSES, full, full, up);
    const gt = meta.classMaps.subarray(i * FULL_PIXELS, (i + 1) * FULL_PIXELS);
    for (let p = 0; p < FULL_PIXELS; p++) {
      const u = up[p]!;
      const g = gt[p]!;
      if (u === g) {
        hit250++;
        inter[u]++;
        union[u]++;
      } else {
        union[u]++;
        union[g]++;
      }
    }
    if (meta.superpixels) {
      const c = superpixelCounts(up, meta.superpixels.get(i));
      spCorrect += c.correct;
      spTotal += c.total;
    }
  }
  out.pixelAcc250 = n ? (100 * hit250) / (n * FULL_PIXELS) : 0;
  let sum = 0;
  for (let c = 0; c < NUM_CLASSES; c++) {
    const v = union[c]! > 0 ? (100 * inter[c]!) / union[c]! : 100;
    out[IOU_KEYS[c]!] = v;
    sum += v;
  }
  out.meanIou = sum / CLASS_NAMES.length;
  if (meta.superpixels) out.superpixelAcc = spTotal ? (100 * spCorrect) / spTotal : 0;
  return out;
}
