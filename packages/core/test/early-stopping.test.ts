import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend, train, resolveHyperParams, registerTask, unregisterTask, disposeModel, AlenError, FINAL_MODEL } from '../src/index.js';
import { syntheticData, syntheticTask } from './fixtures/synthetic-task.js';

const task = syntheticTask('synthetic-patience');
const data = syntheticData({ train: 120, val: 40, test: 40 });

beforeAll(async () => {
  await useBackend('wasm');
  registerTask(task);
  return () => unregisterTask(task.name);
});

describe('early stopping (patience)', () => {
  // With a zero learning rate validation never improves after epoch 1, so the stop is certain.
  const frozen = { epochs: 10, lr: 0 };

  it('ends training `patience` epochs after the best one and keeps the run finished', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alen-patience-'));
    const hp = resolveHyperParams(task, 'infnet', { ...frozen, patience: 2 });
    const res = await train({ task, method: 'infnet', hp, data, seed: 1, runDir: dir });
    expect(res.best?.epoch).toBe(1);
    expect(res.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(res.stoppedEarlyAt).toBe(3);
    expect(res.interrupted).toBe(false);
    expect(fs.existsSync(path.join(dir, FINAL_MODEL, 'model.json'))).toBe(true);

    // Resumed with more epochs, the spent patience stops it again before another epoch.
    const again = await train({ task, method: 'infnet', hp: { ...hp, epochs: 20 }, data, seed: 1, runDir: dir, resume: true });
    expect(again.history).toHaveLength(3);
    expect(again.stoppedEarlyAt).toBe(3);
    disposeModel(res.model);
    disposeModel(again.model);
  });

  it('is off at 0 and without validation (a refit trains every epoch)', async () => {
    const hp = resolveHyperParams(task, 'infnet', { ...frozen, epochs: 5 });
    const res = await train({ task, method: 'infnet', hp, data, seed: 1 });
    expect(res.history).toHaveLength(5);
    expect(res.stoppedEarlyAt).toBeUndefined();
    const refit = await train({ task, method: 'infnet', hp: { ...hp, patience: 1 }, data, seed: 1, validate: false });
    expect(refit.history).toHaveLength(5);
    disposeModel(res.model);
    disposeModel(refit.model);
  });

  it('rejects a negative or fractional patience', () => {
    for (const patience of [-1, 1.5]) {
      expect(() => resolveHyperParams(task, 'infnet', { patience })).toThrow(AlenError);
      expect(() => resolveHyperParams(task, 'infnet', { patience })).toThrow(/patience/);
    }
  });
});
