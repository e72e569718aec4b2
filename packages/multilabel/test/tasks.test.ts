import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AlenError, getTask, hasTask, resolveHyperParams } from '@alen/core';
import type { LoadContext } from '@alen/core';
import {
  BOOKMARKS_SHAPE,
  bibtexTask,
  bookmarksTask,
  readArff,
  scoresFileFor,
  syntheticArffText,
  syntheticRule,
  tasks,
  writeSyntheticDataset,
} from '../src/index.js';
import { DATA_DIR, tempDir } from './helpers.js';

const ctx = (over: Partial<LoadContext> = {}): LoadContext => ({ dataDir: DATA_DIR, seed: 0, options: {}, ...over });

describe('task objects', () => {
  it('are registered on import', () => {
    expect(tasks.map((t) => t.name)).toEqual(['bibtex', 'bookmarks']);
    for (const t of tasks) {
      expect(hasTask(t.name)).toBe(true);
      expect(getTask(t.name)).toBe(t);
    }
  });

  it('carry the protocol: metric, files, recipes, paper numbers, bench profiles', () => {
    expect(bibtexTask.primaryMetric).toBe('f1');
    expect(bibtexTask.outputSpace.kind).toBe('box');
    expect(bibtexTask.expectedFiles.map((f) => f.path)).toEqual(['bibtex/bibtex-train.arff', 'bibtex/bibtex-test.arff', 'bibtex/bibtex.xml']);
    expect(bibtexTask.defaults.dvn).toMatchObject({ optimizer: 'sgd', lr: 0.1, batchSize: 20, weightDecay: 1e-3, dvnEta: 0.5, dvnSteps: 20 });
    expect(bookmarksTask.defaults.dvn).toMatchObject({ weightDecay: 1e-4, dvnEta: 0.75 });
    expect(bookmarksTask.defaults.common?.arch?.layers).toBe(2);
    expect(bibtexTask.defaults.alen).toMatchObject({ optimizer: 'sgd', lr: 0.1, weightDecayV: 1e-3, energyLoss: 'bce', optimizerG: 'adam', lrG: 1e-3, beta1: 0.5, eta: 1, trainSteps: 3, energyOutput: 'sigmoid', taskLossReduction: 'mean' });
    expect(resolveHyperParams(bibtexTask, 'alen-dvn')).toMatchObject({ energyObjective: 'dvn', optimizer: 'sgd', weightDecayV: 1e-3, optimizerG: 'adam', epochs: 375, batchSize: 20 });
    const sched = bibtexTask.defaults.dvn!.lrSchedule!.reduce((a, [e]) => a + e, 0);
    expect(sched).toBe(bibtexTask.defaults.dvn!.epochs);
    expect(bibtexTask.paper.alen).toEqual({ f1: 46.4 });
    expect(bookmarksTask.paper.dvn).toEqual({ f1: 37.1 });
    expect(bibtexTask.bench.quick.limit).toEqual({ train: 1000, val: 200, test: 500 });
    expect(bibtexTask.bench.paper.seeds).toEqual([0, 1, 2]);
  });
});

describe('synthetic generator', () => {
  it('is seeded and writes valid MULAN files (sparse and dense agree)', () => {
    const rule = syntheticRule(50, 6, 1);
    expect(syntheticRule(50, 6, 1)).toEqual(rule);
    expect(new Set(rule.triggers.flat()).size).toBe(12);
    const sparse = syntheticArffText(rule, { rows: 30, seed: 2 });
    expect(syntheticArffText(rule, { rows: 30, seed: 2 })).toBe(sparse);
    expect(syntheticArffText(rule, { rows: 30, seed: 3 })).not.toBe(sparse);
    const dense = syntheticArffText(rule, { rows: 30, seed: 2, format: 'dense' });
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 's.arff'), sparse);
    fs.writeFileSync(path.join(dir, 'd.arff'), dense);
    const labels = Array.from({ length: 6 }, (_, k) => `TAG_synthetic${k}`);
    const a = readArff(path.join(dir, 's.arff'), { labels });
    const b = readArff(path.join(dir, 'd.arff'), { labels });
    expect(a.n).toBe(30);
    expect(b.features).toEqual(a.features);
    expect(b.labels).toEqual(a.labels);
  });
});

describe('alen predict I/O', () => {
  const dir = tempDir();
  const w = writeSyntheticDataset(dir, { ...BOOKMARKS_SHAPE, train: 200, test: 40, seed: 5 });

  it('readInput standardizes with the saved train statistics, with or without label attributes', async () => {
    const data = await bookmarksTask.load(ctx({ dataDir: dir }));
    const withLabels = await bookmarksTask.readInput(w.testFile, data.train.meta!.taskState as Record<string, unknown>);
    expect(withLabels.n).toBe(40);
    expect(withLabels.ids!.slice(0, 2)).toEqual(['0', '1']);
    expect(withLabels.x).toEqual(data.test.x);
    // the same rows without the label attributes, and statistics recomputed from the data dir
    const text = fs.readFileSync(w.testFile, 'utf8');
    const header = text.split('\n').filter((l) => !l.startsWith('@attribute TAG_')).join('\n');
    const dropLabels = (row: string): string =>
      `{${row.slice(1, -1).split(',').filter((t) => t && Number(t.split(' ')[0]) < 2150).join(',')}}`;
    const noLabels = header.split('\n').map((l) => (l.startsWith('{') ? dropLabels(l) : l)).join('\n');
    expect(noLabels).not.toContain('TAG_');
    const file = path.join(dir, 'inputs.arff');
    fs.writeFileSync(file, noLabels);
    const viaDir = await bookmarksTask.readInput(file, undefined, { dataDir: dir });
    expect(viaDir.x).toEqual(data.test.x);
  });

  it('readInput refuses to guess the statistics or a wrong feature set', async () => {
    await expect(bookmarksTask.readInput(w.testFile)).rejects.toThrow(/needs the training standardization/);
    const bad = path.join(dir, 'bad.arff');
    fs.writeFileSync(bad, '@relation x\n@attribute f0 {0,1}\n@data\n{0 1}\n');
    await expect(bookmarksTask.readInput(bad, undefined, { dataDir: dir })).rejects.toThrow(
      new RegExp(`${bad}: 1 feature attributes .* expects 2150`),
    );
  });

  it('writeOutput writes id + label names (CSV) and per-label scores (JSON)', async () => {
    const pred = new Float32Array(2 * 208);
    pred[3] = 0.9;
    pred[10] = 0.5;
    pred[208 + 7] = 0.49;
    const out = path.join(dir, 'pred.csv');
    await bookmarksTask.writeOutput(out, pred, 2, ['a', 'b'], undefined, { dataDir: dir });
    expect(fs.readFileSync(out, 'utf8')).toBe('id,labels\na,TAG_synthetic3 TAG_synthetic10\nb,\n');
    const json = JSON.parse(fs.readFileSync(scoresFileFor(out), 'utf8'));
    expect(scoresFileFor(out)).toBe(path.join(dir, 'pred.json'));
    expect(json.labels).toHaveLength(208);
    expect(json.ids).toEqual(['a', 'b']);
    expect(json.scores[1][7]).toBeCloseTo(0.49, 6);
    await bookmarksTask.writeOutput(out, pred, 2, undefined, undefined, { threshold: 0.4 });
    expect(fs.readFileSync(out, 'utf8')).toBe('id,labels\n0,label3 label10\n1,label7\n');
    await expect(bookmarksTask.writeOutput(out, pred, 3)).rejects.toThrow(AlenError);
    // into a folder that does not exist yet: made; onto a folder: a clear error
    const nested = path.join(dir, 'new', 'deeper', 'labels.csv');
    await bookmarksTask.writeOutput(nested, pred, 2);
    expect(fs.readFileSync(nested, 'utf8').split('\n')[0]).toBe('id,labels');
    await expect(bookmarksTask.writeOutput(dir, pred, 2)).rejects.toThrow(/is a folder; name a CSV file, e\.g\. .*labels\.csv/);
  });
});
