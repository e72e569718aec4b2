import { beforeAll, describe, expect, it } from 'vitest';
import { tf, useBackend, type Dataset } from '@alen/core';
import { evaluateMasks, iouCounts, pixelAgreement, softIou } from '../src/metrics.js';
import { weizmannTask } from '../src/task.js';

beforeAll(async () => {
  await useBackend('wasm');
});

function dataset(y: number[][]): Dataset {
  const d = y[0]!.length;
  return { name: 't', size: y.length, x: new Float32Array(y.length * d * 3), xShape: [d, 1, 3], y: Float32Array.from(y.flat()), yShape: [d, 1, 1] };
}

describe('per-pixel agreement (oracleMap)', () => {
  it('is 1 − |y − y*| per pixel, [B, H, W], 1 where a hard mask is right and 0 where it is wrong', async () => {
    const y = tf.tensor4d([0.5, 0.2, 1, 0], [1, 2, 2, 1]);
    const t = tf.tensor4d([1, 0, 1, 1], [1, 2, 2, 1]);
    const a = pixelAgreement(y, t);
    expect(a.shape).toEqual([1, 2, 2]);
    expect(weizmannTask.oracleMap).toBe(pixelAgreement);
    expect(Array.from(await a.data()).map((v) => Number(v.toFixed(6)))).toEqual([0.5, 0.8, 1, 0]);
    expect(() => pixelAgreement(y, tf.zeros([1, 2, 3, 1]))).toThrow(/pixelAgreement: y \[1,2,2,1\] and y\* \[1,2,3,1\] differ/);
    tf.dispose([y, t, a]);
  });
});

describe('soft IOU oracle', () => {
  it('equals the hard IOU on 0/1 masks and handles 0/0 as 1', async () => {
    const rng = tf.randomUniform([6, 8, 8, 1], 0, 1, 'float32', 5);
    const rng2 = tf.randomUniform([6, 8, 8, 1], 0, 1, 'float32', 6);
    const a = tf.cast(tf.greater(rng, 0.5), 'float32');
    const b = tf.cast(tf.greater(rng2, 0.4), 'float32');
    const soft = await softIou(a, b).data();
    const hard = iouCounts(await a.data(), await b.data(), 6, 64).perImage;
    for (let i = 0; i < 6; i++) expect(soft[i]).toBeCloseTo(hard[i]!, 6);
    const z = tf.zeros([2, 4, 4, 1]);
    expect(Array.from(await softIou(z, z).data())).toEqual([1, 1]);
    tf.dispose([rng, rng2, a, b, z]);
  });

  it('is Σmin/Σmax on soft masks', async () => {
    const y = tf.tensor2d([[0.5, 0.2, 1, 0]]);
    const t = tf.tensor2d([[1, 0, 0.5, 0]]);
    // min: 0.5 + 0 + 0.5 + 0 = 1; max: 1 + 0.2 + 1 + 0 = 2.2
    expect((await softIou(y, t).data())[0]).toBeCloseTo(1 / 2.2, 6);
    tf.dispose([y, t]);
  });

  it('is differentiable in y (the unrolled energy term back-propagates through it)', async () => {
    const y = tf.tensor2d([[0.5, 0.2, 0.8, 0]]);
    const t = tf.tensor2d([[1, 0, 0.5, 0]]);
    // min: 0.5 + 0 + 0.5 + 0 = 1; max: 1 + 0.2 + 0.8 + 0 = 2. d/dy_0 = 1/2 (below t: min grows);
    // d/dy_1 = d/dy_2 = −1/4 (above t: max grows). y_3 ties with t, where the slope is a convention.
    const g = await tf.grad((v: tf.Tensor) => tf.sum(softIou(v, t)))(y).data();
    expect(Array.from(g).slice(0, 3).map((v) => Number(v.toFixed(6)))).toEqual([0.5, -0.25, -0.25]);
    tf.dispose([y, t]);
  });
});

describe('evaluate', () => {
  it('mean IOU averages images, global IOU pools pixels', () => {
    // image 1: pred 1 px, truth 1 px, overlap → IOU 1; image 2: pred 3 px, truth 1 px, overlap 1 → 1/3
    const truth = dataset([[1, 0, 0, 0], [1, 0, 0, 0]]);
    const pred = Float32Array.from([0.9, 0.1, 0.2, 0.4, 0.7, 0.5, 0.6, 0.49]);
    const m = evaluateMasks(pred, truth);
    expect(m.meanIou).toBeCloseTo((100 * (1 + 1 / 3)) / 2, 6);
    // total intersection 2, union 1 + 3 = 4
    expect(m.globalIou).toBeCloseTo(50, 6);
    expect(m.pixelAccuracy).toBeCloseTo((100 * 6) / 8, 6);
  });

  it('counts an image with empty prediction and empty truth as IOU 100', () => {
    const truth = dataset([[0, 0], [1, 1]]);
    const m = evaluateMasks(Float32Array.from([0.1, 0.2, 1, 0]), truth);
    expect(m.meanIou).toBeCloseTo(75, 6);
    expect(m.globalIou).toBeCloseTo(50, 6);
  });

  it('rejects predictions of the wrong length', () => {
    expect(() => evaluateMasks(new Float32Array(3), dataset([[0, 0]]))).toThrow(/expected 1 × 2/);
  });
});
