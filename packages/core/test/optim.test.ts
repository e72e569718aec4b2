import { describe, expect, it } from 'vitest';
import { AlenError, CORE_DEFAULTS, NetOptimizer, ParamStore, Rng, tf, validateHyperParams } from '../src/index.js';
import type { HyperParams } from '../src/index.js';

function oneParam(values: number[]): ParamStore {
  const store = new ParamStore('net', new Rng(0));
  store.add('w', [values.length], 'zeros').assign(tf.tensor1d(values));
  return store;
}

/** One step minimizing Σ c·w (gradient c) from w = 1: returns the change of w. */
function change(kind: 'adam' | 'sgd', hp: HyperParams, c: number[]): number[] {
  const store = oneParam(c.map(() => 1));
  const opt = new NetOptimizer(store, hp, 0.1, 0, kind);
  const w = store.get('w');
  opt.step(() => tf.sum(tf.mul(w, tf.tensor1d(c))) as tf.Scalar).dispose();
  const out = Array.from(w.dataSync(), (v) => v - 1);
  opt.dispose();
  store.dispose();
  return out;
}

describe('NetOptimizer', () => {
  const hp: HyperParams = { ...CORE_DEFAULTS, optimizer: 'adam' };

  it('its kind, not the global optimizer, decides the update: SGD moves by lr·g, Adam by about lr·sign(g)', () => {
    const c = [2, -0.5];
    const sgd = change('sgd', hp, c);
    expect(sgd[0]).toBeCloseTo(-0.2, 5);
    expect(sgd[1]).toBeCloseTo(0.05, 5);
    const adam = change('adam', { ...hp, optimizer: 'sgd' }, c);
    expect(adam[0]).toBeCloseTo(-0.1, 4);
    expect(adam[1]).toBeCloseTo(0.1, 4);
  });

  it('optimizerG must be adam or sgd when set', () => {
    expect(() => validateHyperParams({ ...hp, optimizerG: 'sgd' })).not.toThrow();
    expect(() => validateHyperParams({ ...hp, optimizerG: 'rmsprop' as 'sgd' })).toThrow(AlenError);
    expect(() => validateHyperParams({ ...hp, optimizerG: 'rmsprop' as 'sgd' })).toThrow(/optimizerG must be 'adam' or 'sgd'/);
  });

  it('emaDecay keeps a moving average of the weights: TensorFlow\'s decay schedule, swapped in and out exactly, saved with the state', () => {
    const decay = 0.5;
    const store = oneParam([1, 1]);
    const opt = new NetOptimizer(store, { ...hp, emaDecay: decay }, 0.1, 0, 'sgd');
    const w = store.get('w');
    const c = tf.tensor1d([2, -1]);
    // SGD on Σ c·w moves w by −0.1·c each step; the average follows a ← d·a + (1 − d)·w.
    let live = [1, 1];
    let avg = [1, 1];
    for (let t = 1; t <= 4; t++) {
      opt.step(() => tf.sum(tf.mul(w, c)) as tf.Scalar).dispose();
      live = live.map((v, i) => v - 0.1 * [2, -1][i]!);
      const d = Math.min(decay, (1 + t) / (10 + t));
      avg = avg.map((a, i) => d * a + (1 - d) * live[i]!);
    }
    expect(opt.averaging).toBe(true);
    const liveNow = Array.from(w.dataSync());
    liveNow.forEach((v, i) => expect(v).toBeCloseTo(live[i]!, 5));
    opt.swapAverage();
    Array.from(w.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(avg[i]!, 5));
    opt.swapAverage();
    expect(Array.from(w.dataSync())).toEqual(liveNow);

    const state = opt.getState();
    expect(state.map((s) => s.name)).toEqual(['step', 'ema/w']);
    const other = new NetOptimizer(oneParam([0, 0]), { ...hp, emaDecay: decay }, 0.1, 0, 'sgd');
    other.setState(state, 'test');
    other.swapAverage();
    Array.from(other.params.get('w').dataSync()).forEach((v, i) => expect(v).toBeCloseTo(avg[i]!, 5));
    const plain = new NetOptimizer(oneParam([0, 0]), hp, 0.1, 0, 'sgd');
    expect(plain.averaging).toBe(false);
    expect(() => other.setState(plain.getState(), 'ck')).toThrow(/ck: optimizer state has 1 tensors, expected 2 \(with the weights' moving average/);
    expect(() => validateHyperParams({ ...hp, emaDecay: 1 })).toThrow(/emaDecay must be < 1/);
    tf.dispose([c, state[0]!.tensor]);
    for (const o of [opt, other, plain]) {
      o.dispose();
      o.params.dispose();
    }
  });
});
