import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  tf, useBackend, train, resolveHyperParams, loadCheckpoint, predictBatch, disposeModel, registerTask, unregisterTask, AlenError,
} from '../src/index.js';
import { syntheticData, syntheticTask, F } from './fixtures/synthetic-task.js';

const task = syntheticTask('misuse');
const data = syntheticData({ train: 40, val: 20, test: 20 });

beforeAll(async () => {
  await useBackend('wasm');
  registerTask(task);
  return () => unregisterTask(task.name);
});

describe('library calls that would lose work or fail obscurely', () => {
  it('train() refuses a folder that already holds a run unless resuming, and leaves it as it was', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alen-misuse-'));
    const hp = resolveHyperParams(task, 'infnet', { epochs: 1 });
    const first = await train({ task, method: 'infnet', hp, data, seed: 0, runDir: dir });
    const weights = path.join(dir, 'checkpoints', 'last', 'weights.bin');
    const before = fs.readFileSync(weights);
    const tensors = tf.memory().numTensors;
    const err = await train({ task, method: 'infnet', hp, data, seed: 1, runDir: dir }).then(() => null, (e: unknown) => e as AlenError);
    expect(err?.code).toBe('BAD_CONFIG');
    expect(err?.message).toMatch(/already holds a training run; pass resume: true/);
    expect(fs.readFileSync(weights).equals(before)).toBe(true);
    expect(tf.memory().numTensors).toBe(tensors);

    // loadCheckpoint of the run folder itself points at the model inside.
    await expect(loadCheckpoint(dir)).rejects.toThrow(/it is a run folder; load .*[\\/]model$/);
    disposeModel(first.model);
  });

  it('predictBatch with inputs of the wrong width says which shape the model takes, leaking nothing', async () => {
    const hp = resolveHyperParams(task, 'infnet', { epochs: 1 });
    const { model } = await train({ task, method: 'infnet', hp, data, seed: 0 });
    const x = tf.zeros([2, F + 3]);
    const before = tf.memory().numTensors;
    expect(() => predictBatch(model, x)).toThrow(new RegExp(`inputs of shape \\[2, ${F + 3}\\], but the misuse model takes \\[B, ${F}\\]`));
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    disposeModel(model);
  });
});
