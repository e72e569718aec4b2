import { beforeAll, describe, expect, it } from 'vitest';
import { tf, useBackend, resolveHyperParams, createModel, Rng, NetOptimizer, getMethod, type Batch, type StepContext } from '../src/index.js';
import { createCrossFit } from '../src/methods/cross-fit.js';
import { F, L, syntheticData, syntheticTask } from './fixtures/synthetic-task.js';

const task = syntheticTask();
const hp = resolveHyperParams(task, 'alen', { proposalMode: 'eval', energyProposals: 'crossfit', lr: 0.01 });
const model = createModel(task, 'alen', hp, { xShape: [F], yShape: [L] }, new Rng(1).fork('init'));
const ctx: StepContext = { model, task, hp, rng: new Rng(1).fork('train'), optimizers: {} };

/**
 * Sixteen examples with the same input whose labels disagree by fold: all on for the even indices
 * (fold 0), all off for the odd ones. A net can only learn its own fold's labels.
 */
function contradictoryBatch(): Batch {
  const index = Int32Array.from({ length: 16 }, (_, i) => i);
  const y = Array.from(index, (i) => Array.from({ length: L }, () => (i % 2 === 0 ? 1 : 0)));
  return { x: tf.ones([16, F]), y: tf.tensor2d(y), index };
}

const meanOf = (t: tf.Tensor, rows: number[]) => rows.reduce((s, r) => s + tf.tidy(() => tf.mean(tf.slice(t, [r, 0], [1, L]))).dataSync()[0]!, 0) / rows.length;

describe("cross-fitted proposals (energyProposals: 'crossfit')", () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it("gives each example the proposal of the net that did not train on it; state and restore resume it exactly", () => {
    const batch = contradictoryBatch();
    const cf = createCrossFit();
    for (let s = 0; s < 150; s++) cf.update(batch, ctx);
    const p = cf.proposals(batch, ctx);
    const even = [0, 2, 4, 6, 8, 10, 12, 14], odd = even.map((r) => r + 1);
    // even rows trained net 0 towards 1s; their proposals come from net 1, which learnt 0s
    expect(meanOf(p, even)).toBeLessThan(0.1);
    expect(meanOf(p, odd)).toBeGreaterThan(0.9);

    const resumed = createCrossFit();
    resumed.restore(cf.state(), 'test state');
    const round = () => {
      cf.update(batch, ctx);
      resumed.update(batch, ctx);
      const [a, b] = [cf.proposals(batch, ctx), resumed.proposals(batch, ctx)];
      expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
      tf.dispose([a, b]);
    };
    round();
    const before = tf.memory().numTensors;
    round();
    expect(tf.memory().numTensors).toBe(before); // no step leaks a tensor
    cf.state();
    const afterState = tf.memory().numTensors;
    cf.state();
    expect(tf.memory().numTensors).toBe(afterState);
    tf.dispose([p, batch.x, batch.y]);
    cf.dispose();
    resumed.dispose();
  });

  it("is refused by ALEN's step on a batch without example indices", () => {
    const data = syntheticData({ train: 16, val: 4, test: 4 });
    const optimizers = { energy: new NetOptimizer(model.energy!.params, hp, hp.lr), inference: new NetOptimizer(model.inference!.params, hp, hp.lr) };
    const batch = { x: tf.tensor2d(data.train.x, [16, F]), y: tf.tensor2d(data.train.y, [16, L]) };
    expect(() => getMethod('alen').trainStep(batch, { ...ctx, optimizers, epoch: 1 })).toThrow(/crossfit.*example indices/);
    tf.dispose([batch.x, batch.y]);
    optimizers.energy.dispose();
    optimizers.inference.dispose();
  });
});
