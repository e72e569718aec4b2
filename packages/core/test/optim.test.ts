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
});
