import { beforeAll, describe, expect, it } from 'vitest';
import { Rng, tf, useBackend, cropFlipAugment, cropBatch, drawCrops } from '../src/index.js';

beforeAll(async () => {
  await useBackend('wasm');
});

/** x[b, r, c, ch] = 10000 b + 100 r + c + ch / 10: every value names its position. */
function positional(B: number, H: number, W: number, C: number): tf.Tensor4D {
  const v = new Float32Array(B * H * W * C);
  for (let b = 0; b < B; b++) for (let r = 0; r < H; r++) for (let c = 0; c < W; c++) for (let ch = 0; ch < C; ch++) {
    v[((b * H + r) * W + c) * C + ch] = 10000 * b + 100 * r + c + ch / 10;
  }
  return tf.tensor4d(v, [B, H, W, C]);
}

describe('random crops and flips', () => {
  it('a crop equals the matching slice and a flip reverses its columns', async () => {
    const x = positional(2, 32, 32, 3);
    const out = cropBatch(x, [{ top: 3, left: 5, flip: false }, { top: 8, left: 0, flip: true }], 24);
    expect(out.shape).toEqual([2, 24, 24, 3]);
    const a = (await out.array()) as number[][][][];
    expect(a[0]![0]![0]![0]).toBe(300 + 5);
    expect(a[0]![23]![23]![2]).toBeCloseTo(100 * 26 + 28 + 0.2, 3);
    // flipped: column 0 of the crop is column 23 of the slice (image column 23), column 23 is image column 0
    expect(a[1]![0]![0]![0]).toBe(10000 + 800 + 23);
    expect(a[1]![0]![23]![0]).toBe(10000 + 800 + 0);
    const slice = tf.slice(x, [0, 3, 5, 0], [1, 24, 24, 3]);
    expect(Array.from(await tf.slice(out, [0, 0, 0, 0], [1, 24, 24, 3]).data())).toEqual(Array.from(await slice.data()));
    tf.dispose([x, out, slice]);
  });

  it('crops image and mask together, disposes the input and leaks nothing', async () => {
    const augment = cropFlipAugment({ crop: 24 });
    const rng = new Rng(7);
    const before = tf.memory().numTensors;
    const x = positional(16, 32, 32, 3);
    // The mask is channel 0 of the image: after augmentation it must still be channel 0 of the crop.
    const y = tf.slice(x, [0, 0, 0, 0], [16, 32, 32, 1]);
    const out = augment({ x, y }, rng);
    expect(x.isDisposed && y.isDisposed).toBe(true);
    expect(out.x.shape).toEqual([16, 24, 24, 3]);
    expect(out.y.shape).toEqual([16, 24, 24, 1]);
    const ch0 = tf.slice(out.x, [0, 0, 0, 0], [16, 24, 24, 1]);
    expect(Array.from(await out.y.data())).toEqual(Array.from(await ch0.data()));
    // Both orientations and several positions occur across the batch.
    const xa = (await out.x.array()) as number[][][][];
    const firstCols = xa.map((ex) => ex[0]![1]![0]! - ex[0]![0]![0]!);
    expect(firstCols).toContain(1);
    expect(firstCols).toContain(-1);
    expect(new Set(xa.map((ex) => Math.round(ex[0]![0]![0]!) % 10000)).size).toBeGreaterThan(4);
    tf.dispose([out.x, out.y, ch0]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('draws the same crops from the same seed, within bounds', () => {
    const a = drawCrops(new Rng(3), 50, 32, 32, 24, true);
    const b = drawCrops(new Rng(3), 50, 32, 32, 24, true);
    expect(a).toEqual(b);
    for (const s of a) {
      expect(s.top).toBeGreaterThanOrEqual(0);
      expect(s.top).toBeLessThanOrEqual(8);
      expect(s.left).toBeLessThanOrEqual(8);
    }
    expect(new Set(a.map((s) => s.top)).size).toBe(9);
    expect(drawCrops(new Rng(3), 50, 32, 32, 24, false).every((s) => !s.flip)).toBe(true);
    expect(() => drawCrops(new Rng(1), 1, 16, 16, 24, true)).toThrow(/24×24/);
  });

  it('supports other crop sizes', () => {
    const x = tf.zeros([2, 32, 32, 3]);
    const y = tf.zeros([2, 32, 32, 1]);
    const out = cropFlipAugment({ crop: 16, flip: false })({ x, y }, new Rng(1));
    expect(out.x.shape).toEqual([2, 16, 16, 3]);
    expect(out.y.shape).toEqual([2, 16, 16, 1]);
    tf.dispose([out.x, out.y]);
  });
});
