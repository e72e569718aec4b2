import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { AlenError, CORE_DEFAULTS, Rng, getTask, taskProblems, tf } from '@alen/core';
import { lfwTask, tasks } from '../src/index.js';
import { DATA_DIR, tmpDir } from './helpers.js';

const cacheDir = tmpDir('task');
afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

describe('the lfw task plugin', () => {
  it('registers itself on import and is a valid task', () => {
    expect(getTask('lfw')).toBe(lfwTask);
    expect(tasks).toEqual([lfwTask]);
    expect(taskProblems(lfwTask)).toBeNull();
    expect(lfwTask.primaryMetric).toBe('pixelAcc250');
    expect(lfwTask.outputSpace.kind).toBe('simplex');
  });

  it('paper numbers keyed by superpixelAcc; defaults and bench profiles', () => {
    expect(lfwTask.paper).toEqual({
      alen: { superpixelAcc: 96.47 },
      dvn: { superpixelAcc: 92.44 },
      'infnet(alen)': { superpixelAcc: 95.87 },
      infnet: { superpixelAcc: 95.36 },
    });
    expect(lfwTask.defaults?.alen).toMatchObject({ eta: 0.5, trainSteps: 3, testSteps: 10, energyOutput: 'sigmoid', taskLossReduction: 'mean' });
    expect(lfwTask.defaults?.dvn).toMatchObject({ dvnSteps: 30, dvnNormalized: true, dvnInit: 'center', dvnEta: 8 });
    expect(lfwTask.defaults?.common).toMatchObject({ optimizer: 'adam', lr: 1e-3, beta1: 0.5, batchSize: 32 });
    expect(lfwTask.bench?.quick.limit).toBeDefined();
    expect('limit' in lfwTask.bench!.paper).toBe(false);
    expect(lfwTask.expectedFiles?.map((f) => f.path).join(' ')).toMatch(/parts_train\.txt.*parts_validation\.txt.*parts_test\.txt/);
  });

  it('load() through a LoadContext, then evaluate() the targets themselves', async () => {
    const d = await lfwTask.load({ dataDir: DATA_DIR, seed: 0, limit: { train: 2, val: 2, test: 2 }, options: { cacheDir } });
    expect(d.test.name).toBe('lfw/test');
    const m = lfwTask.evaluate(d.test.y, d.test);
    expect(m.pixelAcc32).toBe(100);
    // Upsampled 32×32 proportions lose detail at 250×250: high but below 100.
    expect(m.pixelAcc250).toBeGreaterThan(90);
    expect(m.pixelAcc250).toBeLessThan(100);
    expect(Object.keys(m).sort()).toEqual(['iouBackground', 'iouFace', 'iouHair', 'meanIou', 'pixelAcc250', 'pixelAcc32']);
  });

  it('arch.flip mirrors face and labels together; without it training batches pass unchanged', async () => {
    const x = tf.tensor4d(Array.from({ length: 16 * 32 * 32 * 3 }, (_, i) => i), [16, 32, 32, 3]);
    const y = tf.tensor4d(Array.from({ length: 16 * 32 * 32 * 3 }, (_, i) => -i), [16, 32, 32, 3]);
    const same = lfwTask.augment!({ x, y }, new Rng(1), CORE_DEFAULTS);
    expect(same.x).toBe(x);
    expect(same.y).toBe(y);
    const out = lfwTask.augment!({ x, y }, new Rng(1), { ...CORE_DEFAULTS, arch: { flip: true } });
    expect(x.isDisposed && y.isDisposed).toBe(true);
    expect(out.x.shape).toEqual([16, 32, 32, 3]);
    const xs = (await out.x.array()) as number[][][][];
    const ys = (await out.y.array()) as number[][][][];
    // Each example is either as it was or mirrored, the labels with it.
    const flipped = xs.map((ex, b) => {
      const first = ex[0]![0]![0]!;
      expect(ys[b]![0]![0]![0]).toBe(-first);
      return first !== b * 32 * 32 * 3;
    });
    expect(flipped).toContain(true);
    expect(flipped).toContain(false);
    tf.dispose([out.x, out.y]);
    expect(() => lfwTask.augment!({ x: tf.zeros([1, 32, 32, 3]), y: tf.zeros([1, 32, 32, 3]) }, new Rng(1), { ...CORE_DEFAULTS, arch: { flip: 'sometimes' } })).toThrow(AlenError);
  });
});
