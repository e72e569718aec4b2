import { beforeAll, describe, expect, it } from 'vitest';
import { DVN_OFFSETS, createCropViews, evenOffsets, tf, useBackend } from '../src/index.js';

beforeAll(async () => {
  await useBackend('wasm');
});

describe('36 test-time crops', () => {
  const views = createCropViews();

  it('uses the 6×6 grid of DVN offsets and covers every pixel', () => {
    expect(views.offsets).toEqual(DVN_OFFSETS);
    expect(views.count).toBe(36);
    expect(Math.min(...views.coverage)).toBeGreaterThan(0);
    // corners are covered by one crop only, the centre by all 36
    expect(views.coverage[0]).toBe(1);
    expect(views.coverage[16 * 32 + 16]).toBe(36);
  });

  it('splits [B,32,32,C] into [B·36,24,24,C], example-major, each view the right slice', async () => {
    const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 1);
    const s = views.split(x);
    expect(s.shape).toEqual([72, 24, 24, 3]);
    // view k = 6 i + j of example 1 has top = offsets[i], left = offsets[j]
    const k = 6 * 2 + 4;
    const got = tf.slice(s, [36 + k, 0, 0, 0], [1, 24, 24, 3]);
    const want = tf.slice(x, [1, DVN_OFFSETS[2]!, DVN_OFFSETS[4]!, 0], [1, 24, 24, 3]);
    expect(Array.from(await got.data())).toEqual(Array.from(await want.data()));
    tf.dispose([x, s, got, want]);
  });

  it('averages each pixel over the crops covering it', async () => {
    // every crop k predicts the constant k: a corner pixel only sees crop 0
    const vals = tf.tidy(() => tf.mul(tf.reshape(tf.range(0, 36, 1, 'float32'), [36, 1, 1, 1]), tf.ones([36, 24, 24, 1])));
    const m = views.merge(vals, 1);
    const a = (await m.array()) as number[][][][];
    expect(a[0]![0]![0]![0]).toBe(0);
    expect(a[0]![31]![31]![0]).toBe(35);
    expect(a[0]![16]![16]![0]).toBeCloseTo(17.5, 5);
    tf.dispose([vals, m]);
  });

  it('splitOutput is differentiable: the gradient of the crops sum is the coverage count', async () => {
    const y = tf.zeros([1, 32, 32, 1]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(views.splitOutput(t)))(y);
    expect(Array.from(await g.data())).toEqual(Array.from(views.coverage));
    tf.dispose([y, g]);
  });

  it('checks shapes and offsets', () => {
    expect(() => views.split(tf.zeros([1, 24, 24, 3]))).toThrow(/expected \[B, 32, 32, C\]/);
    expect(() => views.merge(tf.zeros([35, 24, 24, 1]), 1)).toThrow(/merge/);
    expect(() => createCropViews({ offsets: [0, 9] })).toThrow(/outside/);
    expect(() => createCropViews({ size: 64, crop: 24, offsets: [0, 40] })).toThrow(/uncovered/);
    expect(evenOffsets(8, 6)).toEqual([0, 2, 3, 5, 6, 8]);
    const big = createCropViews({ size: 48, crop: 32 });
    expect(big.offsets).toEqual(evenOffsets(16, 6));
    expect(big.count).toBe(36);
  });
});
