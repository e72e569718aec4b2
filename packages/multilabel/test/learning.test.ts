import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend, train, resolveHyperParams, limitTaskData, evaluateModel, type TaskData, type MethodName } from '@alen/core';
import { bibtexTask } from '../src/index.js';
import { exampleF1 } from '../src/metrics.js';
import { DATA_DIR } from './helpers.js';

const L = 159;
let data: TaskData;

/** Best example-F1 of predicting a fixed set of the k most frequent training labels for every example. */
function mostFrequentLabelsF1(d: TaskData): number {
  const freq = new Array(L).fill(0);
  for (let i = 0; i < d.train.size; i++) for (let j = 0; j < L; j++) freq[j] += d.train.y[i * L + j]!;
  const order = freq.map((f, j) => [f, j] as const).sort((a, b) => b[0] - a[0]);
  let best = 0;
  for (let k = 1; k <= 10; k++) {
    const pred = new Float32Array(d.test.size * L);
    for (let i = 0; i < d.test.size; i++) for (const [, j] of order.slice(0, k)) pred[i * L + j] = 1;
    best = Math.max(best, exampleF1(pred, d.test.y, L));
  }
  return best;
}

describe('learning on a Bibtex subset (CI-sized, fixed seed)', () => {
  let trivial = 0;
  beforeAll(async () => {
    await useBackend('wasm');
    data = limitTaskData(await bibtexTask.load({ dataDir: DATA_DIR, seed: 0, options: {} }), { train: 1500, val: 300, test: 600 });
    trivial = mostFrequentLabelsF1(data);
  });

  const cases: Array<[MethodName, object]> = [
    ['alen', { epochs: 8 }],
    ['dvn', { epochs: 8, lrSchedule: [[6, 1], [2, 0.1]], testStepsCandidates: [10, 20] }],
  ];
  for (const [method, overrides] of cases) {
    it(`${method} beats the most-frequent-labels predictor`, async () => {
      const hp = resolveHyperParams(bibtexTask, method, overrides);
      const res = await train({ task: bibtexTask, method, hp, data, seed: 0 });
      const f1 = (await evaluateModel(res.model, data.test)).f1!;
      console.log(`${method}: trivial ${trivial.toFixed(2)}, test F1 ${f1.toFixed(2)} after ${hp.epochs} epochs on ${data.train.size} examples`);
      expect(f1).toBeGreaterThan(trivial + 12);
      res.model.energy?.params.dispose();
      res.model.inference?.params.dispose();
    });
  }
});

describe('Bookmarks on synthetic data of the real shape and format (the real files are not here)', () => {
  it('loads 2150 features / 208 labels and trains ALEN with the two-layer value net (finite losses, predictions in [0,1])', async () => {
    const { writeSyntheticDataset, BOOKMARKS_SHAPE, bookmarksTask } = await import('../src/index.js');
    const { tempDir } = await import('./helpers.js');
    const { predictDataset } = await import('@alen/core');
    const dir = tempDir();
    writeSyntheticDataset(dir, { ...BOOKMARKS_SHAPE, train: 300, test: 100, seed: 4 });
    const d = limitTaskData(await bookmarksTask.load({ dataDir: dir, seed: 0, options: {} }), { test: 100 });
    expect(d.train.xShape).toEqual([2150]);
    expect(d.train.yShape).toEqual([208]);
    expect(d.train.size + d.val.size).toBe(300);
    const hp = resolveHyperParams(bookmarksTask, 'alen', { epochs: 2, testStepsCandidates: [0, 2] });
    expect(hp.arch.layers).toBe(2);
    const res = await train({ task: bookmarksTask, method: 'alen', hp, data: d, seed: 0 });
    expect(res.history).toHaveLength(2);
    for (const h of res.history) for (const v of Object.values(h.losses)) expect(Number.isFinite(v)).toBe(true);
    expect(res.model.energy!.params.params.map((p) => p.name)).toContain('fc2/kernel');
    const { pred } = await predictDataset(res.model, d.test);
    expect(pred.length).toBe(100 * 208);
    expect(pred.every((v) => v >= 0 && v <= 1)).toBe(true);
  });
});
