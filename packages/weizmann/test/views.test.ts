import { beforeAll, describe, expect, it } from 'vitest';
import { createCropViews, tf, useBackend } from '@alen/core';
import { loadChopps } from '../src/load-chopps.js';
import { DATA_ROOT } from './helpers.js';

beforeAll(async () => {
  await useBackend('wasm');
});

describe('36 test-time crops on the real masks', () => {
  const views = createCropViews();

  it('merges crops that each predict the truth back into the exact full masks', async () => {
    const data = await loadChopps(DATA_ROOT, { limit: { train: 0, val: 0, test: 5 } });
    const before = tf.memory().numTensors;
    const y = tf.tensor4d(data.test.y, [5, 32, 32, 1]);
    const crops = views.split(y);
    const merged = views.merge(crops, 5);
    expect(merged.shape).toEqual([5, 32, 32, 1]);
    expect(Array.from(await merged.data())).toEqual(Array.from(data.test.y));
    tf.dispose([y, crops, merged]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
