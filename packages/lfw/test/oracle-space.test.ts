import { beforeAll, describe, expect, it } from 'vitest';
import { Rng, simplexSpace, tf, useBackend } from '@alen/core';
import { softPixelAccuracy, softPixelAccuracyMap } from '../src/oracle.js';
import { lfwTask } from '../src/task.js';
import { argmaxMap } from '../src/upsample.js';

beforeAll(async () => {
  await useBackend('wasm');
});

function oneHot(classes: number[], C = 3): number[] {
  return classes.flatMap((c) => Array.from({ length: C }, (_, k) => (k === c ? 1 : 0)));
}

describe('oracle: soft pixel accuracy', () => {
  it('equals hard pixel accuracy on one-hot maps, and 1 for identical soft maps', async () => {
    const rng = new Rng(3);
    const B = 4;
    const P = 32 * 32;
    const a: number[] = [];
    const b: number[] = [];
    const hard: number[] = [];
    for (let i = 0; i < B; i++) {
      const ca = Array.from({ length: P }, () => rng.int(3));
      const cb = ca.map((c) => (rng.next() < 0.3 * (i + 1) / B ? rng.int(3) : c));
      a.push(...oneHot(ca));
      b.push(...oneHot(cb));
      hard.push(ca.filter((c, p) => c === cb[p]).length / P);
    }
    const before = tf.memory().numTensors;
    const ya = tf.tensor4d(a, [B, 32, 32, 3]);
    const yb = tf.tensor4d(b, [B, 32, 32, 3]);
    const h = softPixelAccuracy(ya, yb);
    expect(h.shape).toEqual([B]);
    const got = await h.data();
    hard.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 6));
    const self = tf.tidy(() => {
      const soft = tf.softmax(tf.randomNormal([B, 32, 32, 3], 0, 1, 'float32', 1));
      return softPixelAccuracy(soft, soft);
    });
    for (const v of await self.data()) expect(v).toBeCloseTo(1, 5);
    // Partial overlap of two soft pixels: min(.5,.2)+min(.3,.3)+min(.2,.5) = .7
    const p = tf.tidy(() => softPixelAccuracy(tf.tensor4d([0.5, 0.3, 0.2], [1, 1, 1, 3]), tf.tensor4d([0.2, 0.3, 0.5], [1, 1, 1, 3])));
    expect((await p.data())[0]).toBeCloseTo(0.7, 6);
    tf.dispose([ya, yb, h, self, p]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('per pixel (oracleMap): Σ_c min(y, y*) per pixel, whose mean is the oracle', async () => {
    expect(lfwTask.oracleMap).toBe(softPixelAccuracyMap);
    const y = tf.tidy(() => tf.softmax(tf.randomNormal([3, 4, 4, 3], 0, 1, 'float32', 7)));
    const t = tf.tidy(() => tf.softmax(tf.randomNormal([3, 4, 4, 3], 0, 2, 'float32', 8)));
    const map = softPixelAccuracyMap(y, t);
    expect(map.shape).toEqual([3, 4, 4]);
    const meanT = tf.mean(map, [1, 2]);
    const means = await meanT.data();
    meanT.dispose();
    const h = await softPixelAccuracy(y, t).data();
    h.forEach((v, i) => expect(means[i]).toBeCloseTo(v, 6));
    const p = tf.tidy(() => softPixelAccuracyMap(tf.tensor4d([0.5, 0.3, 0.2, 1, 0, 0], [1, 1, 2, 3]), tf.tensor4d([0.2, 0.3, 0.5, 0, 1, 0], [1, 1, 2, 3])));
    expect(Array.from(await p.data()).map((v) => Number(v.toFixed(6)))).toEqual([0.7, 0]);
    expect(() => softPixelAccuracyMap(y, tf.zeros([3, 4, 4, 2]))).toThrow(/softPixelAccuracyMap: y \[3,4,4,3\] and y\* \[3,4,4,2\] differ/);
    tf.dispose([y, t, map, p]);
  });

  it('has a gradient in y', async () => {
    const y = tf.tensor4d([0.5, 0.3, 0.2, 0.1, 0.1, 0.8], [1, 1, 2, 3]);
    const t = tf.tensor4d([0, 0, 1, 0, 0, 1], [1, 1, 2, 3]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(softPixelAccuracy(v, t)))(y);
    // d/dy mean_p Σ min(y, y*): 1/2 where y < y*, 0 where y > y*.
    expect(Array.from(await g.data())).toEqual([0, 0, 0.5, 0, 0, 0.5]);
    tf.dispose([y, t, g]);
  });
});

describe('output space', () => {
  it('is the simplex: decode takes the argmax of the proportions, project maps onto the simplex', async () => {
    expect(lfwTask.outputSpace.kind).toBe(simplexSpace().kind);
    const props = new Float32Array([0.2, 0.5, 0.3, 0.6, 0.3, 0.1, 0.1, 0.1, 0.8, 0.34, 0.33, 0.33]);
    const y = tf.tensor4d(props, [1, 2, 2, 3]);
    const d = lfwTask.outputSpace.decode(y);
    const cls = argmaxMap(props, 0, 4, 3);
    expect(Array.from(await d.data())).toEqual(Array.from(cls).flatMap((c) => oneHot([c])));
    const pr = lfwTask.outputSpace.project(tf.tensor4d([2, 0, 0, 0.5, 0.5, 0.5], [1, 1, 2, 3]));
    const v = await pr.data();
    expect(Array.from(v.subarray(0, 3))).toEqual([1, 0, 0]);
    for (const q of v.subarray(3)) expect(q).toBeCloseTo(1 / 3, 6);
    tf.dispose([y, d, pr]);
  });
});
