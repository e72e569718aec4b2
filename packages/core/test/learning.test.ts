import { beforeAll, describe, expect, it } from 'vitest';
import { tf, useBackend, train, resolveHyperParams, createModel, evaluateModel, Rng, NetOptimizer, batchOf, getMethod, type HyperParamOverrides, type HyperParams, type MethodName } from '../src/index.js';
import { syntheticData, syntheticTask, exampleF1, L } from './fixtures/synthetic-task.js';

const task = syntheticTask();
const data = syntheticData();

/** F1 of always predicting the labels that are on in more than half... or the k most frequent ones. */
function mostFrequentF1(): number {
  const n = data.train.size;
  const freq = new Array(L).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < L; j++) freq[j] += data.train.y[i * L + j]!;
  const order = freq.map((f, j) => [f, j] as const).sort((a, b) => b[0] - a[0]);
  let best = 0;
  for (let k = 1; k <= L; k++) {
    const on = new Set(order.slice(0, k).map(([, j]) => j));
    const pred = new Float32Array(data.test.size * L);
    for (let i = 0; i < data.test.size; i++) for (const j of on) pred[i * L + j] = 1;
    best = Math.max(best, exampleF1(pred, data.test.y, L));
  }
  return best;
}

describe('every method learns the synthetic task (fixed seed)', () => {
  let trivial = 0;
  beforeAll(async () => {
    await useBackend('wasm');
    trivial = mostFrequentF1();
  });

  const runs: Array<[MethodName, HyperParamOverrides]> = [
    ['alen', {}], ['dvn', {}], ['infnet', {}], ['aen', {}], ['alen-no-task', {}],
    ['alen-no-task', { gAdversarialLoss: 'log' }], ['alen', { energyLoss: 'bce' }], ['alen-dvn', {}],
    ['alen-dvn', { dvnTupleStart: 'proposal' }], ['dvn', { dvnAdversarial: 'loss' }],
    ['dvn', { dvnInferenceTuples: 'trajectory' }], ['dvn', { dvnOtherTruth: 0.5 }],
    ['alen', { optimizer: 'sgd', lr: 0.1, optimizerG: 'adam', lrG: 1e-3 }], ['alen', { otherTruthV: 1 }],
    ['alen', { mixTruthV: 1, dvnTuplesV: 1 }], ['aen', { dvnTuplesV: 1 }], ['alen', { emaDecay: 0.99 }],
    ['dvn', { dvnTruthPairsProb: 0.2, dvnAdvInferenceProb: 0.2, dvnAdvSteps: 2, dvnTrainSteps: 30, dvnReplay: 16 }], ['alen-dvn', { dvnReplay: 16 }],
  ];
  for (const [method, extra] of runs) {
    const label = Object.keys(extra).length ? `${method} ${JSON.stringify(extra)}` : method;
    it(`${label} beats the most-frequent-labels predictor and an untrained model`, async () => {
      const hp = resolveHyperParams(task, method, { testStepsCandidates: [0, 2, 4], ...extra });
      const untrained = createModel(task, method, hp, data.train, new Rng(0));
      const before = (await evaluateModel(untrained, data.test)).f1!;
      const res = await train({ task, method, hp, data, seed: 0 });
      const after = (await evaluateModel(res.model, data.test)).f1!;
      expect(after).toBeGreaterThan(trivial + 10);
      expect(after).toBeGreaterThan(before + 10);
      expect(res.best).not.toBeNull();
      if (method === 'dvn') {
        // the step count chosen on validation replaces dvnSteps; the tuples' length stays recorded
        expect([0, 2, 4]).toContain(res.model.hp.dvnSteps);
        expect(res.model.hp.dvnTrainSteps).toBe(hp.dvnTrainSteps > 0 ? hp.dvnTrainSteps : hp.dvnSteps);
      }
      // no tensor leaks from epoch to epoch
      const counts = res.history.map((h) => h.numTensors);
      expect(new Set(counts.slice(1)).size).toBe(1);
      console.log(`${label}: trivial ${trivial.toFixed(1)} untrained ${before.toFixed(1)} trained ${after.toFixed(1)}`);
      tf.dispose(untrained.energy?.params.variables ?? []);
    });
  }
});

describe('alen-dvn', () => {
  it("updates its energy exactly as DVN does, and its inference network as ALEN's Eq. 11", async () => {
    await useBackend('wasm');
    const batch = batchOf(data.train, Array.from({ length: 16 }, (_, i) => i));
    // DVN's hyper-parameters for both; alen-dvn adds only g and its update.
    const dvnHp = resolveHyperParams(task, 'dvn');
    const after = (method: MethodName, extra: HyperParamOverrides = {}) => {
      const hp = { ...dvnHp, energyObjective: method === 'dvn' ? dvnHp.energyObjective : 'dvn', ...extra } as HyperParams;
      const model = createModel(task, method, hp, data.train, new Rng(5).fork('init'));
      const optimizers = {
        energy: new NetOptimizer(model.energy!.params, hp, hp.lr),
        inference: model.inference ? new NetOptimizer(model.inference.params, hp, hp.lr) : undefined,
      };
      const losses = getMethod(method).trainStep(batch, { model, task, hp, rng: new Rng(5).fork('train'), optimizers });
      const weights = model.energy!.params.variables.map((v) => Array.from(v.dataSync()));
      tf.dispose([...Object.values(losses), ...model.energy!.params.variables, ...(model.inference?.params.variables ?? [])]);
      optimizers.energy.dispose();
      optimizers.inference?.dispose();
      return { weights, keys: Object.keys(losses).sort() };
    };
    const dvn = after('dvn');
    const hybrid = after('alen-dvn');
    expect(hybrid.weights).toEqual(dvn.weights);
    expect(hybrid.keys).toEqual(['lossG', 'lossTask', 'lossV']);
    // Tuples from g's proposal: a different energy step; DVN alone has no proposal to start from.
    const fromProposal = after('alen-dvn', { dvnTupleStart: 'proposal' });
    expect(fromProposal.weights).not.toEqual(dvn.weights);
    expect(() => after('dvn', { dvnTupleStart: 'proposal' })).toThrow(/dvnTupleStart 'proposal'.*needs an inference network/);
    tf.dispose([batch.x, batch.y]);
  });
});
