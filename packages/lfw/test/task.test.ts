import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { AlenError, CORE_DEFAULTS, Rng, getTask, taskProblems, tf, type HyperParams } from '@alen/core';
import { createLfwTask, lfwCropTask, lfwTask, tasks } from '../src/index.js';
import { DATA_DIR, tmpDir } from './helpers.js';

const cacheDir = tmpDir('task');
afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

describe('the lfw task plugin', () => {
  it('registers itself on import and is a valid task', () => {
    expect(getTask('lfw')).toBe(lfwTask);
    expect(getTask('lfw-crop')).toBe(lfwCropTask);
    expect(tasks).toEqual([lfwTask, lfwCropTask]);
    expect(taskProblems(lfwCropTask)).toBeNull();
    expect(lfwTask.testViews).toBeUndefined();
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

  it('lfw-crop: random 24×24 crops of face and labels together, flipped by default; 9 test crops', async () => {
    expect(lfwCropTask.testViews).toMatchObject({ size: 32, crop: 24, offsets: [0, 4, 8], count: 9 });
    expect(lfwCropTask.defaults).toEqual(lfwTask.defaults);
    const x = tf.tensor4d(Array.from({ length: 16 * 32 * 32 * 3 }, (_, i) => i), [16, 32, 32, 3]);
    const y = tf.tensor4d(Array.from({ length: 16 * 32 * 32 * 3 }, (_, i) => -i), [16, 32, 32, 3]);
    const out = lfwCropTask.augment!({ x, y }, new Rng(3), CORE_DEFAULTS);
    expect(out.x.shape).toEqual([16, 24, 24, 3]);
    expect(out.y.shape).toEqual([16, 24, 24, 3]);
    const xs = (await out.x.data()) as Float32Array;
    const ys = (await out.y.data()) as Float32Array;
    for (let i = 0; i < xs.length; i++) expect(ys[i]).toBe(-xs[i]!);
    // Pixel (0, 0) of each crop: row r, column c of its face, flipped or not.
    const corners = new Set<string>();
    let mirrored = 0;
    for (let b = 0; b < 16; b++) {
      const v = xs[b * 24 * 24 * 3]! - b * 32 * 32 * 3;
      const r = Math.floor(v / 96);
      const c = (v % 96) / 3;
      const next = xs[b * 24 * 24 * 3 + 3]! - b * 32 * 32 * 3;
      if (next < v) mirrored++;
      expect(r).toBeLessThanOrEqual(8);
      corners.add(`${r},${c}`);
    }
    expect(corners.size).toBeGreaterThan(4);
    expect(mirrored).toBeGreaterThan(0);
    expect(mirrored).toBeLessThan(16);
    tf.dispose([out.x, out.y]);
  });

  it('lfw-crop: the energy net is built for the crop it scores', () => {
    const hp = { ...CORE_DEFAULTS, arch: { energyConv1: 2, energyConv2: 2, energyConv3: 2, energyFc1: 4, energyFc2: 2 } } as HyperParams;
    const ctx = { xShape: [32, 32, 3], yShape: [32, 32, 3], hp, rng: new Rng(1) };
    const fc1 = (t: typeof lfwTask) => {
      const net = t.createEnergy(ctx);
      const shape = net.params.params.find((p) => p.name === 'fc1/kernel')!.variable.shape;
      net.params.dispose();
      return shape;
    };
    expect(fc1(lfwTask)).toEqual([4, 8 * 8 * 2]);
    expect(fc1(lfwCropTask)).toEqual([4, 6 * 6 * 2]);
  });

  it('createLfwTask: names, offsets and errors', () => {
    expect(createLfwTask({ crop: 16 }).name).toBe('lfw-crop16');
    expect(createLfwTask({ crop: 16 }).testViews).toMatchObject({ offsets: [0, 8, 16], count: 9 });
    expect(createLfwTask({ crop: 24, offsets: [0, 8], name: 'mine' })).toMatchObject({ name: 'mine', testViews: { count: 4 } });
    expect(createLfwTask({ crop: 32 }).testViews).toBeUndefined();
    expect(() => createLfwTask({ crop: 40 })).toThrow(/crop=40 must be an integer from 8 to 32/);
    expect(() => createLfwTask({ crop: 4 })).toThrow(AlenError);
  });
});
