import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlenError, CORE_DEFAULTS, Rng, getTask, resolveHyperParams, taskProblems, tf, useBackend } from '@alen/core';
import { createWeizmannTask, tasks, weizmannTask } from '../src/index.js';
import { DATA_ROOT, removeTempDirs, tempDir } from './helpers.js';

beforeAll(async () => {
  await useBackend('wasm');
});
afterAll(removeTempDirs);

const TINY = { gConv1: 4, gConv2: 8, gConv3: 8, gDeconv: 4, vConv1: 4, vConv2: 8, vConv3: 8, vFc1: 16, vFc2: 8 };

describe('weizmann task object', () => {
  it('is registered on import and well formed', () => {
    expect(getTask('weizmann')).toBe(weizmannTask);
    expect(tasks).toEqual([weizmannTask]);
    expect(taskProblems(weizmannTask)).toBeNull();
    expect(weizmannTask.primaryMetric).toBe('meanIou');
    expect(weizmannTask.outputSpace.kind).toBe('box');
    expect(weizmannTask.paper?.alen).toEqual({ meanIou: 85.5, globalIou: 85.4 });
    expect(weizmannTask.paper?.infnet).toEqual({ meanIou: 78.56, globalIou: 78.7 });
    expect(weizmannTask.outputShape?.([24, 24, 3])).toEqual([24, 24, 1]);
    expect(weizmannTask.expectedFiles?.map((f) => f.path)).toContain('horses/chopps32/dvn_split.txt');
  });

  it('resolves per-method defaults through core', () => {
    const alen = resolveHyperParams(weizmannTask, 'alen');
    expect([alen.eta, alen.trainSteps, alen.testSteps, alen.beta1, alen.batchSize]).toEqual([0.5, 3, 10, 0.5, 32]);
    expect(alen.energyOutput).toBe('sigmoid');
    expect(alen.taskLossReduction).toBe('mean');
    expect(alen.arch.vFc1).toBe(384);
    // The per-pixel energy with the other-mask terms (docs/sweeps/weizmann.md, seeds 1-3 at 300 epochs).
    expect([alen.energyFit, alen.arch.energyNet, alen.otherTruthV, alen.mixOtherV]).toEqual(['map', 'fcn', 1, 1]);
    const dvn = resolveHyperParams(weizmannTask, 'dvn');
    expect([dvn.dvnSteps, dvn.dvnNormalized, dvn.dvnInit, dvn.dvnEta, dvn.dvnTrainSteps, dvn.lr]).toEqual([30, true, 'zeros', 2, 60, 3e-4]);
    expect([dvn.dvnInferenceTuples, dvn.dvnOtherTruth]).toEqual(['trajectory', 0.5]);
    // The GPU probe's recipe: its 10 / 20 / 20 % shares of the batches, drawn in turn by core.
    expect([dvn.dvnTruthPairsProb, dvn.dvnSampleProb, dvn.dvnAdvInferenceProb, dvn.dvnReplay]).toEqual([0.1, 0.22, 0.29, 64]);
    expect(resolveHyperParams(weizmannTask, 'aen').eta).toBe(0.5);
    // alen-dvn: ALEN's schedule and steps, DVN's tuples for the energy.
    const hybrid = resolveHyperParams(weizmannTask, 'alen-dvn');
    expect([hybrid.eta, hybrid.epochs, hybrid.energyObjective]).toEqual([alen.eta, alen.epochs, 'dvn']);
    expect([hybrid.dvnSteps, hybrid.dvnNormalized, hybrid.dvnInit]).toEqual([dvn.dvnSteps, dvn.dvnNormalized, dvn.dvnInit]);
    expect([hybrid.dvnEta, hybrid.dvnInferenceTuples, hybrid.dvnOtherTruth, hybrid.dvnReplay]).toEqual([1, 'final', 0, 0]);
    // DVN's objective fits one score per image: the conv energy, no per-pixel fit.
    expect([hybrid.energyFit, hybrid.arch.energyNet, hybrid.otherTruthV, hybrid.mixOtherV]).toEqual(['scalar', 'conv', 0, 0]);
  });

  it('loads either source through LoadContext options and limit', async () => {
    const base = { dataDir: DATA_ROOT, seed: 1, limit: { train: 3, val: 2, test: 1 } };
    const chopps = await weizmannTask.load({ ...base, options: {} });
    expect([chopps.train.size, chopps.val.size, chopps.test.size]).toEqual([3, 2, 1]);
    expect(chopps.train.meta?.source).toBe('chopps');
    const log: string[] = [];
    const db = await weizmannTask.load({ ...base, options: { source: 'db', size: '32' }, log: (m) => log.push(m) });
    expect(db.train.meta?.source).toBe('db');
    expect(db.train.ids).toEqual(chopps.train.ids);
    expect(log.length).toBeGreaterThan(0);
    await expect(weizmannTask.load({ ...base, options: { source: 'png' } })).rejects.toThrow(/unknown source 'png'/);
    await expect(weizmannTask.load({ ...base, options: { source: 'db', size: '64' } })).rejects.toThrow(/createWeizmannTask/);
  });

  it('builds nets that fit its crops: augment → energy and FCN, test views → merge', async () => {
    const hp = resolveHyperParams(weizmannTask, 'alen', { arch: TINY });
    const ctx = { xShape: [32, 32, 3], yShape: [32, 32, 1], hp, rng: new Rng(1) };
    const energy = weizmannTask.createEnergy(ctx);
    const inference = weizmannTask.createInference(ctx);
    const before = tf.memory().numTensors;
    const batch = weizmannTask.augment!({ x: tf.randomUniform([2, 32, 32, 3]), y: tf.zeros([2, 32, 32, 1]) }, new Rng(2), CORE_DEFAULTS);
    const h = energy.encode(batch.x, { training: false });
    const s = energy.score(h, batch.y, { training: false });
    expect(s.shape).toEqual([2]);
    const views = weizmannTask.testViews!;
    const shapes = tf.tidy(() => {
      const logits = inference.logits(views.split(tf.zeros([1, 32, 32, 3])), { training: false });
      return [logits.shape, views.merge(logits, 1).shape];
    });
    expect(shapes).toEqual([[36, 24, 24, 1], [1, 32, 32, 1]]);
    tf.dispose([batch.x, batch.y, h, s]);
    expect(tf.memory().numTensors).toBe(before);
    energy.params.dispose();
    inference.params.dispose();
    const bad = { ...ctx, hp: { ...hp, arch: { ...hp.arch, crop: 16 } } };
    expect(() => weizmannTask.createEnergy(bad)).toThrow(AlenError);
    const t16 = createWeizmannTask({ name: 'weizmann-16', crop: 16, offsets: [0, 8, 16] });
    expect(tf.tidy(() => t16.testViews!.split(tf.zeros([1, 32, 32, 3])).shape)).toEqual([9, 16, 16, 3]);
    // The conv energy's first FC layer is sized by the crop (the default FCN energy has none).
    const e16 = t16.createEnergy({ ...bad, hp: { ...bad.hp, arch: { ...bad.hp.arch, energyNet: 'conv' } } });
    expect(e16.params.get('fc1/kernel').shape).toEqual([16, 4 * 4 * 8]);
    e16.params.dispose();
  });

  it('flips training crops unless arch.flip is false', () => {
    // Each pixel holds its column index: a mirrored crop runs right to left.
    const columns = () => tf.tidy(() => tf.tile(tf.reshape(tf.range(0, 32, 1, 'float32'), [1, 1, 32, 1]), [16, 32, 1, 3]));
    const mirrored = (hpArch: Record<string, boolean>) => {
      const batch = weizmannTask.augment!({ x: columns(), y: tf.zeros([16, 32, 32, 1]) }, new Rng(4), { ...CORE_DEFAULTS, arch: hpArch });
      const rows = batch.x.arraySync() as number[][][][];
      tf.dispose([batch.x, batch.y]);
      return rows.filter((img) => img[0]![0]![0]! > img[0]![23]![0]!).length;
    };
    expect(mirrored({})).toBeGreaterThan(0);
    expect(mirrored({ flip: false })).toBe(0);
  });
});

describe('alen predict input and output', () => {
  it('reads a folder of images at 32×32 and writes one PNG + JSON per id', async () => {
    const dir = tempDir('predict-in');
    // a 64×48 PNG: left half white, right half black; a JPEG of one colour
    const raw = Buffer.alloc(64 * 48 * 3);
    for (let y = 0; y < 48; y++) for (let x = 0; x < 32; x++) raw.fill(255, (y * 64 + x) * 3, (y * 64 + x) * 3 + 3);
    await sharp(raw, { raw: { width: 64, height: 48, channels: 3 } }).png().toFile(path.join(dir, 'a.png'));
    await sharp(Buffer.alloc(20 * 20 * 3, 128), { raw: { width: 20, height: 20, channels: 3 } }).jpeg().toFile(path.join(dir, 'b.jpg'));
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'ignored');
    const input = await weizmannTask.readInput!(dir);
    expect(input.n).toBe(2);
    expect(input.ids).toEqual(['a', 'b']);
    expect(input.x.length).toBe(2 * 32 * 32 * 3);
    expect(input.x[0]).toBeCloseTo(1, 2);
    expect(input.x[31 * 3]).toBeCloseTo(0, 2);
    expect(input.x[32 * 32 * 3]).toBeCloseTo(128 / 255, 1);
    await expect(weizmannTask.readInput!(path.join(dir, 'nope.png'))).rejects.toThrow(/nope.png/);
    fs.writeFileSync(path.join(dir, 'c.png'), 'garbage');
    await expect(weizmannTask.readInput!(dir)).rejects.toThrow(/c.png/);

    // soft masks: example a = its image's red channel, example b = 0.3 everywhere
    const pred = new Float32Array(2 * 1024);
    for (let i = 0; i < 1024; i++) pred[i] = input.x[i * 3]!;
    pred.fill(0.3, 1024);
    const out = tempDir('predict-out');
    await weizmannTask.writeOutput!(out, pred, 2, input.ids);
    const png = await sharp(path.join(out, 'a.png')).raw().toBuffer({ resolveWithObject: true });
    expect([png.info.width, png.info.height]).toEqual([32, 32]);
    expect(png.data[0]).toBe(255);
    expect(png.data[31 * png.info.channels]).toBe(0);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'b.json'), 'utf8'));
    expect(json.softMask).toHaveLength(32);
    expect(json.softMask[5][7]).toBeCloseTo(0.3, 4);

    const single = path.join(tempDir('predict-one'), 'mask.png');
    await weizmannTask.writeOutput!(single, pred.subarray(1024), 1, ['b']);
    expect(fs.existsSync(single)).toBe(true);
    expect(fs.existsSync(single.replace(/png$/, 'json'))).toBe(true);
    await expect(weizmannTask.writeOutput!(single, pred, 3)).rejects.toThrow(/values for 3 masks/);

    // one image and a path without .png: a folder, as for LFW
    const plain = path.join(tempDir('predict-plain'), 'masks');
    await weizmannTask.writeOutput!(plain, pred.subarray(1024), 1, ['b']);
    expect(fs.readdirSync(plain).sort()).toEqual(['b.json', 'b.png']);

    // two inputs with one name (horse.jpg, horse.png): both masks are written, the second under horse_1
    const twins = tempDir('predict-twins');
    await weizmannTask.writeOutput!(twins, pred, 2, ['horse', 'horse']);
    expect(fs.readdirSync(twins).sort()).toEqual(['horse.json', 'horse.png', 'horse_1.json', 'horse_1.png']);
    expect(JSON.parse(fs.readFileSync(path.join(twins, 'horse_1.json'), 'utf8')).softMask[5][7]).toBeCloseTo(0.3, 4);
  });
});
