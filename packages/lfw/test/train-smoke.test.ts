import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { disposeModel, predictDataset, resolveHyperParams, tf, train, useBackend } from '@alen/core';
import { lfwCropTask, lfwTask } from '../src/index.js';
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

  it('lfw-crop trains alen on crops and predicts whole faces by averaging 9 crops', async () => {
    await useBackend('wasm');
    const data = await lfwCropTask.load({ dataDir: DATA_DIR, seed: 0, limit: { train: 8, val: 4, test: 4 }, options: { cacheDir } });
    const before = tf.memory().numTensors;
    const hp = resolveHyperParams(lfwCropTask, 'alen', { epochs: 1, batchSize: 4, evalBatchSize: 4, testSteps: 2, arch: TINY });
    const res = await train({ task: lfwCropTask, method: 'alen', hp, data, seed: 1 });
    expect(res.history[0]!.val!.pixelAcc250).toBeGreaterThan(0);
    const { pred } = await predictDataset(res.model, data.test);
    expect(pred.length).toBe(4 * 32 * 32 * 3);
    for (let p = 0; p < pred.length; p += 3) expect(pred[p]! + pred[p + 1]! + pred[p + 2]!).toBeCloseTo(1, 4);
    disposeModel(res.model);
    expect(tf.memory().numTensors).toBe(before);
  });
});
