import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { types } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  tf, useBackend, train, resolveHyperParams, registerTask, unregisterTask, defineTask, checkNetworks, createModel,
  disposeModel, evaluateModel, checkDataset, AlenError, Rng, ParamStore, type Task,
} from '../src/index.js';
import { syntheticData, syntheticTask } from './fixtures/synthetic-task.js';

const data = syntheticData({ train: 40, val: 20, test: 20 });

beforeAll(async () => {
  await useBackend('wasm');
});

/** The synthetic task with some hooks replaced (a plugin author's mistake). */
function broken(name: string, change: (t: Task) => Partial<Task>): Task {
  const base = syntheticTask(name);
  return { ...base, ...change(base) };
}

async function trainError(task: Task, method: 'alen' | 'dvn' | 'infnet' = 'alen'): Promise<{ err: AlenError; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alen-contract-'));
  const hp = resolveHyperParams(task, method, { epochs: 1 });
  const err = await train({ task, method, hp, data, seed: 0, runDir: dir }).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(AlenError);
  return { err: err as AlenError, dir };
}

describe('the networks and oracle are checked on two examples before training', () => {
  it('an energy score of shape [B, 1] stops training before the first epoch, naming the hook', async () => {
    const task = broken('contract-score', (t) => ({
      createEnergy: (ctx) => {
        const e = t.createEnergy(ctx);
        return { ...e, score: (h, y, mode) => tf.expandDims(e.score(h, y, mode), 1) as unknown as tf.Tensor1D };
      },
    }));
    const before = tf.memory().numTensors;
    const { err, dir } = await trainError(task);
    expect(err.code).toBe('SHAPE_MISMATCH');
    expect(err.message).toMatch(/contract-score.*createEnergy's score\(h, y\) has shape \[2, 1\].*must be \[2\].*squeeze/);
    expect(fs.readdirSync(dir)).toEqual([]); // nothing written
    expect(tf.memory().numTensors).toBe(before); // the model and the probe batch are disposed
  });

  it('inference logits of the wrong shape name createInference and both shapes', async () => {
    const task = broken('contract-logits', (t) => ({
      createInference: (ctx) => {
        const g = t.createInference(ctx);
        return { ...g, logits: (x, mode) => tf.tidy(() => tf.slice(g.logits(x, mode), [0, 0], [-1, 5])) };
      },
    }));
    const { err } = await trainError(task, 'infnet');
    expect(err.code).toBe('SHAPE_MISMATCH');
    expect(err.message).toMatch(/createInference's logits\(x\) have shape \[2, 5\].*\[2, 8\]/);
  });

  it('an oracle that is not [B], or not in [0, 1], is refused', async () => {
    const wide = broken('contract-oracle-shape', (t) => ({ oracle: (y, s) => tf.stack([t.oracle(y, s), t.oracle(y, s)], 1) as tf.Tensor1D }));
    const a = await trainError(wide, 'dvn');
    expect(a.err.code).toBe('SHAPE_MISMATCH');
    expect(a.err.message).toMatch(/oracle\(y, yStar\) has shape \[2, 2\]/);

    const percent = broken('contract-oracle-range', (t) => ({ oracle: (y, s) => tf.mul(t.oracle(y, s), 100) as tf.Tensor1D }));
    const b = await trainError(percent, 'dvn');
    expect(b.err.code).toBe('BAD_TASK');
    expect(b.err.message).toMatch(/oracle\(yStar, yStar\) gave 100.*\[0, 1\]/);
  });

  it('weights made outside the ParamStore (tf.variable) are refused before training', () => {
    const task = broken('contract-no-weights', (t) => ({
      createInference: (ctx) => {
        const g = t.createInference(ctx);
        g.params.dispose();
        return { ...g, params: new ParamStore('inference', ctx.rng) };
      },
    }));
    const hp = resolveHyperParams(task, 'infnet');
    expect(() => createModel(task, 'infnet', hp, data.train, new Rng(0))).toThrow(/createInference's ParamStore holds no weights/);
  });

  it('an architecture option nothing reads (a misspelled arch.NAME) is refused, listing the ones read', async () => {
    const task = syntheticTask('contract-arch');
    const hp = resolveHyperParams(task, 'alen', { epochs: 1, arch: { dropuot: 0.5 } });
    const before = tf.memory().numTensors;
    const err = await train({ task, method: 'alen', hp, data, seed: 0 }).then(() => null, (e: unknown) => e as AlenError);
    expect(err?.code).toBe('BAD_CONFIG');
    expect(err?.message).toMatch(/arch option dropuot: not read by task 'contract-arch' \(its options: dropout\)/);
    expect(tf.memory().numTensors).toBe(before);
    // spelled right it trains, and the run's hp is the plain object it was given
    const ok = await train({ task, method: 'alen', hp: resolveHyperParams(task, 'alen', { epochs: 1, arch: { dropout: 0.5 } }), data, seed: 0 });
    expect(ok.model.hp.arch).toEqual({ dropout: 0.5 });
    expect(types.isProxy(ok.model.hp.arch)).toBe(false);
    disposeModel(ok.model);
    // an option of the network a method does not build (dvn has no inference net) is still the task's
    const dvn = await train({ task, method: 'dvn', hp: resolveHyperParams(task, 'dvn', { epochs: 1, arch: { dropout: 0.5 } }), data, seed: 0 });
    disposeModel(dvn.model);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a correct task passes and leaves no tensor behind', () => {
    const task = syntheticTask('contract-ok');
    const model = createModel(task, 'alen', resolveHyperParams(task, 'alen'), data.train, new Rng(0));
    const before = tf.memory().numTensors;
    checkNetworks(model, data.train);
    expect(tf.memory().numTensors).toBe(before);
    disposeModel(model);
  });
});

describe('defineTask and registerTask refuse what would be ignored silently', () => {
  const base = syntheticTask('contract-define');

  it('an unknown key (a misspelled hook) is named', () => {
    expect(() => defineTask({ ...base, augmentation: () => null } as unknown as Task)).toThrow(/unknown key augmentation \(a misspelled hook\?\)/);
  });

  it('an unknown hyper-parameter or method in defaults is named', () => {
    expect(() => defineTask({ ...base, defaults: { alen: { etaa: 2 } } } as unknown as Task)).toThrow(/defaults\.alen: unknown hyper-parameter etaa/);
    expect(() => defineTask({ ...base, defaults: { allen: { eta: 2 } } } as unknown as Task)).toThrow(/defaults\.allen: not a method/);
    expect(() => resolveHyperParams(base, 'alen', { etaa: 2 } as never)).toThrow(/unknown hyper-parameter etaa/);
  });

  it('a second task under a taken name names the plugin that holds it', () => {
    const first = syntheticTask('contract-taken');
    registerTask(first, 'plugin-a');
    try {
      registerTask(first, 'plugin-a'); // the same object again: fine
      expect(() => registerTask(syntheticTask('contract-taken'), './plugin-b.mjs')).toThrow(
        /task 'contract-taken' of \.\/plugin-b\.mjs is already registered by plugin-a/,
      );
    } finally {
      unregisterTask('contract-taken');
    }
  });
});

describe('data and metrics', () => {
  it('a split whose x is a plain array is refused, naming the split', () => {
    const d = { ...data.val, x: Array.from(data.val.x) as unknown as Float32Array };
    expect(() => checkDataset(d)).toThrow(/synthetic\/val: x must be a Float32Array.*got Array/);
  });

  it('a NaN primary metric is an error naming the split, not a silent table of NaN', async () => {
    const task = broken('contract-nan-metric', () => ({ evaluate: () => ({ f1: NaN }) }));
    const model = createModel(task, 'infnet', resolveHyperParams(task, 'infnet'), data.train, new Rng(0));
    try {
      const err = await evaluateModel(model, data.val).then(() => null, (e: unknown) => e as AlenError);
      expect(err?.code).toBe('NON_FINITE');
      expect(err?.message).toMatch(/f1 \(its primaryMetric\) is NaN on synthetic\/val: the predictions are finite/);
    } finally {
      disposeModel(model);
    }
  });
});
