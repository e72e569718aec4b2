import { beforeAll, describe, expect, it } from 'vitest';
import { NetOptimizer, Rng, createModel, getMethod, resolveHyperParams, tf, useBackend, batchOf, type MethodName, type TaskData } from '@alen/core';
import { bibtexTask } from '../src/index.js';
import { DATA_DIR } from './helpers.js';

/**
 * With a closed-form gradient, DVN and ALEN generate their outputs inside the energy update on the
 * training-mode encoding (one encode per step). Without it they take the general path (outputs
 * first, from an eval-mode encoding, then the update). With no dropout before the encoding both
 * must train the same weights.
 */
describe('one shared encoding per training step', () => {
  let data: TaskData;
  beforeAll(async () => {
    await useBackend('wasm');
    data = await bibtexTask.load({ dataDir: DATA_DIR, seed: 0, options: {} });
  });

  async function weightsAfterSteps(method: MethodName, closedForm: boolean): Promise<Float32Array[]> {
    const hp = resolveHyperParams(bibtexTask, method, { dvnInferenceProb: 0.5 });
    const rng = new Rng(4);
    const model = createModel(bibtexTask, method, hp, { xShape: data.train.xShape, yShape: data.train.yShape }, rng.fork('init'));
    const energy = closedForm ? model.energy! : { ...model.energy!, scoreGrad: undefined };
    const m = { ...model, energy };
    const optimizers = {
      energy: new NetOptimizer(energy.params, hp, hp.lr),
      inference: model.inference ? new NetOptimizer(model.inference.params, hp, hp.lr) : undefined,
    };
    const ctx = { model: m, task: bibtexTask, hp, rng: rng.fork('train'), optimizers };
    for (let i = 0; i < 4; i++) {
      const b = batchOf(data.train, Array.from({ length: 16 }, (_, j) => i * 16 + j));
      const losses = getMethod(method).trainStep(b, ctx);
      tf.dispose([b.x, b.y, ...Object.values(losses)]);
    }
    const out = [...energy.params.params].map((p) => p.variable.dataSync() as Float32Array);
    optimizers.energy.dispose();
    optimizers.inference?.dispose();
    energy.params.dispose();
    model.inference?.params.dispose();
    return out;
  }

  for (const method of ['dvn', 'alen'] as const) {
    it(`${method}: the shared and the general path train the same energy weights`, async () => {
      const before = tf.memory().numTensors;
      const shared = await weightsAfterSteps(method, true);
      const general = await weightsAfterSteps(method, false);
      expect(tf.memory().numTensors).toBe(before);
      let worst = 0;
      let moved = 0;
      shared.forEach((w, k) => w.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - general[k]![i]!)))));
      for (const w of shared) moved += w.reduce((a, v) => a + Math.abs(v), 0);
      expect(moved).toBeGreaterThan(0);
      expect(worst).toBeLessThan(1e-4);
    });
  }
});
