import { beforeAll, describe, expect, it } from 'vitest';
import { tf, useBackend, resolveHyperParams, createModel, Rng, NetOptimizer, batchOf, getMethod, type EnergyNet, type HyperParamOverrides, type OracleMap, type Task } from '../src/index.js';
import { L, syntheticData, syntheticTask } from './fixtures/synthetic-task.js';

const data = syntheticData();
const B = 16;
const EVAL = { training: false };

/** Per-label agreement 1 − |y − y*|: the synthetic task's oracle split into labels. */
const agreement: OracleMap = (y, yStar) => tf.tidy(() => tf.sub(1, tf.abs(tf.sub(y, yStar))));

/**
 * The synthetic task with per-element scores: its energy's score Σ_l h_l·y_l + G(y) is the mean of
 * the map L·h_l·y_l + G(y), so `score` and `scoreMap` agree.
 */
function mapTask(withMap = true): Task {
  const base = syntheticTask('synthetic-map');
  return {
    ...base,
    oracleMap: agreement,
    createEnergy: (ctx) => {
      const e = base.createEnergy(ctx);
      if (!withMap) return e;
      const scoreMap = (h: tf.Tensor, y: tf.Tensor) =>
        tf.tidy(() => {
          const global = tf.sub(e.score(h, y, EVAL), tf.sum(tf.mul(h, y), 1));
          return tf.add(tf.mul(tf.mul(h, y), L), tf.reshape(global, [-1, 1]));
        });
      return { ...e, scoreMap } satisfies EnergyNet;
    },
  };
}

/** One ALEN step on `task`: the energy loss, and the loss recomputed from each fitted output's per-element scores and targets. */
function oneStep(task: Task, overrides: HyperParamOverrides) {
  const hp = resolveHyperParams(task, 'alen', { lambdaG: 0, energyLoss: 'bce', ...overrides });
  const model = createModel(task, 'alen', hp, data.train, new Rng(5).fork('init'));
  const energy = model.energy!;
  const index = Int32Array.from({ length: B }, (_, i) => i);
  const batch = { ...batchOf(data.train, index), index };
  const bce = (z: tf.Tensor, t: tf.Tensor | number) => tf.mean(tf.add(tf.sub(tf.relu(z), tf.mul(z, t)), tf.log1p(tf.exp(tf.neg(tf.abs(z)))))).dataSync()[0]!;
  // Each call of the per-element oracle: the loss term it targets, from the weights before the update.
  const terms: number[] = [];
  let scalarCalls = 0;
  const spyTask: Task = {
    ...task,
    oracle: (y, s) => (scalarCalls++, task.oracle(y, s)),
    oracleMap: (y, s) =>
      tf.tidy(() => {
        const t = task.oracleMap!(y, s);
        if (energy.scoreMap) terms.push(bce(energy.scoreMap(energy.encode(batch.x, EVAL), y, EVAL), t));
        return t;
      }),
  };
  const truthTerm = energy.scoreMap ? tf.tidy(() => bce(energy.scoreMap!(energy.encode(batch.x, EVAL), batch.y, EVAL), 1)) : NaN;
  const optimizers = { energy: new NetOptimizer(energy.params, hp, hp.lr), inference: new NetOptimizer(model.inference!.params, hp, hp.lr) };
  try {
    const losses = getMethod('alen').trainStep(batch, { model: { ...model, task: spyTask }, task: spyTask, hp, rng: new Rng(5).fork('train'), optimizers });
    const lossV = losses.lossV!.dataSync()[0]!;
    tf.dispose(Object.values(losses));
    return { lossV, terms, truthTerm, scalarCalls };
  } finally {
    tf.dispose([...energy.params.variables, ...model.inference!.params.variables, batch.x, batch.y]);
    optimizers.energy.dispose();
    optimizers.inference.dispose();
  }
}

describe("ALEN's per-element fit of Eq. 6 (energyFit 'map')", () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it("fits every term's per-element scores to the per-element oracle, the ground truth's to 1", () => {
    const { lossV, terms, truthTerm, scalarCalls } = oneStep(mapTask(), { energyFit: 'map', lambdaV: 1, betaV: 0.5, mixTruthV: 2 });
    expect(scalarCalls).toBe(0);
    // y′ (λv 1), y″ (βv 0.5) and the mixed point (2), in that order
    expect(terms).toHaveLength(3);
    expect(lossV).toBeCloseTo(truthTerm + terms[0]! + 0.5 * terms[1]! + 2 * terms[2]!, 4);
  });

  it("is not the scalar fit: the same step with energyFit 'scalar' asks the scalar oracle and loses another amount", () => {
    const map = oneStep(mapTask(), { energyFit: 'map' });
    const scalar = oneStep(mapTask(), { energyFit: 'scalar' });
    expect(scalar.scalarCalls).toBe(2);
    expect(scalar.terms).toHaveLength(0);
    expect(Math.abs(scalar.lossV - map.lossV)).toBeGreaterThan(1e-3);
  });

  it('names what is missing: the task without an oracleMap, the energy without a scoreMap, alen-dvn', () => {
    expect(() => resolveHyperParams(syntheticTask(), 'alen', { energyFit: 'map' })).toThrow(/task synthetic defines no oracleMap/);
    expect(() => oneStep(mapTask(false), { energyFit: 'map' })).toThrow(/energyFit 'map' needs an energy net with per-element scores \(scoreMap\)/);
    expect(() => resolveHyperParams(mapTask(), 'alen-dvn', { energyFit: 'map' })).toThrow(/energyFit 'map' fits Eq\. 6 per element/);
    expect(() => resolveHyperParams(mapTask(), 'alen', { energyFit: 'pixels' as never })).toThrow(/energyFit must be 'scalar' or 'map'/);
  });
});
