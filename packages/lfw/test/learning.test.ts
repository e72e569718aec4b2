import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposeModel, evaluateModel, resolveHyperParams, tf, train, useBackend, type MethodName, type TaskData } from '@alen/core';
import { lfwTask } from '../src/index.js';
import { DATA_DIR, tmpDir } from './helpers.js';

const cacheDir = tmpDir('learning');
afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

// Narrow nets so a few hundred updates fit in CI; the layers are the paper's.
const SMALL = { energyConv1: 8, energyConv2: 16, energyConv3: 16, energyFc1: 32, energyFc2: 16, energyDropout: 0, fcnConv1: 16, fcnConv2: 32, fcnConv3: 32, fcnDeconv1: 16 };
const K = 3;

let data: TaskData;
/** Pixel accuracy (250×250) of the majority class, background, everywhere. */
let majorityClass = 0;
/** Pixel accuracy of the face-blind prior: each pixel gets its most frequent class over the training faces. */
let priorMap = 0;

/** One-hot maps for every test face: `classOf(p)` at pixel p. */
function constantMaps(d: TaskData, classOf: (p: number) => number): Float32Array {
  const px = d.test.y.length / d.test.size / K;
  const out = new Float32Array(d.test.y.length);
  for (let i = 0; i < d.test.size; i++) for (let p = 0; p < px; p++) out[(i * px + p) * K + classOf(p)] = 1;
  return out;
}

function trainingPrior(d: TaskData): (p: number) => number {
  const px = d.train.y.length / d.train.size / K;
  const mass = new Float64Array(px * K);
  for (let i = 0; i < d.train.size; i++) for (let j = 0; j < px * K; j++) mass[j]! += d.train.y[i * px * K + j]!;
  return (p) => [0, 1, 2].reduce((best, c) => (mass[p * K + c]! > mass[p * K + best]! ? c : best), 0);
}

beforeAll(async () => {
  await useBackend('wasm');
  data = await lfwTask.load({ dataDir: DATA_DIR, seed: 0, limit: { train: 128, val: 16, test: 64 }, options: { cacheDir } });
  majorityClass = lfwTask.evaluate(constantMaps(data, () => 2), data.test).pixelAcc250!;
  priorMap = lfwTask.evaluate(constantMaps(data, trainingPrior(data)), data.test).pixelAcc250!;
});

describe('learning on a few LFW faces (CI-sized, fixed seed)', () => {
  it('the baselines are what they should be: background everywhere under the per-pixel prior', () => {
    expect(majorityClass).toBeGreaterThan(40);
    expect(priorMap).toBeGreaterThan(majorityClass + 5);
  });

  // The bar is the majority class by 10 points. Funneled faces are aligned, so the per-pixel prior
  // (87 % here) is a strong face-blind predictor: the full FCN beats it by 5 points, a narrow one
  // trained on 128 faces for CI only just reaches it. DVN is not here: on LFW its ascent from the
  // simplex centre scores under the majority class (docs/results/paper/lfw.notes.md). Seeds 0–3
  // score 87.7–88.6 here.
  const cases: Array<[MethodName, object]> = [
    ['infnet', { epochs: 20, batchSize: 16, lr: 3e-3, valEvery: 20 }],
    ['alen', { epochs: 20, batchSize: 16, lr: 3e-3, valEvery: 20, testStepsCandidates: [0, 3] }],
  ];
  for (const [method, overrides] of cases) {
    it(`${method} beats the majority class on test faces it never saw`, async () => {
      const before = tf.memory().numTensors;
      const hp = resolveHyperParams(lfwTask, method, { ...overrides, arch: SMALL });
      const res = await train({ task: lfwTask, method, hp, data, seed: 0 });
      const m = await evaluateModel(res.model, data.test);
      console.log(
        `lfw ${method}: majority class ${majorityClass.toFixed(2)}, prior ${priorMap.toFixed(2)}, ` +
          `test pixel accuracy ${m.pixelAcc250!.toFixed(2)} at 250×250 after ${hp.epochs} epochs on ${data.train.size} faces`,
      );
      expect(m.pixelAcc250!).toBeGreaterThan(majorityClass + 10);
      disposeModel(res.model);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
