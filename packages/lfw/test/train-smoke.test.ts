import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { disposeModel, resolveHyperParams, tf, train, useBackend } from '@alen/core';
import { lfwTask } from '../src/index.js';
import { DATA_DIR, tmpDir } from './helpers.js';

const cacheDir = tmpDir('smoke');
afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));
const TINY = { energyConv1: 8, energyConv2: 8, energyConv3: 8, energyFc1: 16, energyFc2: 8, fcnConv1: 8, fcnConv2: 8, fcnConv3: 8, fcnDeconv1: 8 };

// The task plugged into core's trainer: tiny networks, a few real images, one epoch each.
describe('training smoke test (wasm)', () => {
  it('infnet, alen, alen-dvn and dvn train one epoch and report the task metrics', async () => {
    await useBackend('wasm');
    const data = await lfwTask.load({ dataDir: DATA_DIR, seed: 0, limit: { train: 8, val: 4, test: 4 }, options: { cacheDir } });
    const before = tf.memory().numTensors;
    for (const method of ['infnet', 'alen', 'alen-dvn', 'dvn'] as const) {
      const hp = resolveHyperParams(lfwTask, method, { epochs: 1, batchSize: 4, evalBatchSize: 4, testSteps: 2, dvnSteps: 2, arch: TINY });
      const res = await train({ task: lfwTask, method, hp, data, seed: 1 });
      expect(res.history).toHaveLength(1);
      const val = res.history[0]!.val!;
      expect(Object.keys(val)).toEqual(expect.arrayContaining(['pixelAcc32', 'pixelAcc250', 'iouHair', 'iouFace', 'iouBackground']));
      expect(val.pixelAcc250).toBeGreaterThanOrEqual(0);
      expect(val.pixelAcc250).toBeLessThanOrEqual(100);
      expect(Object.values(res.history[0]!.losses).every(Number.isFinite)).toBe(true);
      disposeModel(res.model);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
