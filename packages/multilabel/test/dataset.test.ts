import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AlenError } from '@alen/core';
import type { Dataset, LoadContext } from '@alen/core';
import {
  BOOKMARKS,
  BOOKMARKS_SHAPE,
  bibtexTask,
  bookmarksTask,
  exampleF1,
  loadMultilabel,
  permuteRows,
  writeSyntheticDataset,
} from '../src/index.js';
import { DATA_DIR, tempDir } from './helpers.js';

const ctx = (over: Partial<LoadContext> = {}): LoadContext => ({ dataDir: DATA_DIR, seed: 0, options: {}, ...over });

/** Byte equality of two typed arrays (vitest's deep equality is far too slow for millions of elements). */
function same(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function columnStats(sets: Dataset[], F: number): { mean: Float64Array; sd: Float64Array } {
  const n = sets.reduce((a, d) => a + d.size, 0);
  const mean = new Float64Array(F);
  const sq = new Float64Array(F);
  for (const d of sets) for (let i = 0; i < d.x.length; i++) mean[i % F]! += d.x[i]! / n;
  for (const d of sets) for (let i = 0; i < d.x.length; i++) sq[i % F]! += (d.x[i]! - mean[i % F]!) ** 2 / n;
  return { mean, sd: sq.map(Math.sqrt) };
}

describe('bibtex load', async () => {
  const data = await bibtexTask.load(ctx());

  it('splits 4880 train rows 95/5 and keeps the test file', () => {
    expect([data.train.size, data.val.size, data.test.size]).toEqual([4636, 244, 2515]);
    for (const d of [data.train, data.val, data.test]) {
      expect(d.xShape).toEqual([1836]);
      expect(d.yShape).toEqual([159]);
      expect(d.x).toHaveLength(d.size * 1836);
      expect(d.y).toHaveLength(d.size * 159);
      expect(d.ids).toHaveLength(d.size);
    }
    expect(data.train.name).toBe('bibtex/train');
    expect(data.test.ids!.slice(0, 3)).toEqual(['0', '1', '2']);
    // train and val are disjoint and together cover every row of the training file
    const ids = new Set([...data.train.ids!, ...data.val.ids!]);
    expect(ids.size).toBe(4880);
  });

  it('standardizes with the training file statistics (columns mean 0, sd 1)', () => {
    const { mean, sd } = columnStats([data.train, data.val], 1836);
    expect(Math.max(...mean.map(Math.abs))).toBeLessThan(1e-4);
    const nonConstant = [...sd].filter((s) => s > 1e-3);
    expect(nonConstant.length).toBeGreaterThan(1800);
    for (const s of nonConstant) expect(s).toBeCloseTo(1, 3);
    // feature 0 is on in 393 of 4880 rows: mean 0.0805, population sd 0.2721
    const meta = data.train.meta as { standardization: { mean: number[]; scale: number[] }; labelNames: string[] };
    expect(meta.standardization.mean[0]).toBeCloseTo(0.0805328, 6);
    expect(meta.standardization.scale[0]).toBeCloseTo(0.2721163 + 1e-6, 6);
    expect(meta.labelNames).toHaveLength(159);
    // test row 0 is standardized with the same statistics: its labels and "on" features are intact
    expect(data.test.y.subarray(0, 159).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('row ids point back into the file: the row with id 0 is the file\'s first row', () => {
    const r = data.train.ids!.indexOf('0');
    const d = r >= 0 ? data.train : data.val;
    const k = r >= 0 ? r : data.val.ids!.indexOf('0');
    const labels = Array.from(d.y.subarray(k * 159, (k + 1) * 159)).flatMap((v, j) => (v ? [j] : []));
    expect(labels).toEqual([3, 23, 61, 63, 76]);
  });

  it('the split is deterministic per seed and differs between seeds', async () => {
    const again = await bibtexTask.load(ctx());
    expect(again.val.ids).toEqual(data.val.ids);
    expect(same(again.train.x, data.train.x)).toBe(true);
    const other = await bibtexTask.load(ctx({ seed: 1 }));
    expect(other.val.size).toBe(244);
    expect(other.val.ids).not.toEqual(data.val.ids);
    expect(same(other.test.x, data.test.x)).toBe(true);
    expect(same(other.train.x.subarray(0, 1836 * 10), data.train.x.subarray(0, 1836 * 10))).toBe(false);
  });

  it('honours limit after the split', async () => {
    const small = await bibtexTask.load(ctx({ limit: { train: 100, val: 10, test: 50 } }));
    expect([small.train.size, small.val.size, small.test.size]).toEqual([100, 10, 50]);
    expect(small.train.ids).toEqual(data.train.ids!.slice(0, 100));
    expect(small.val.ids).toEqual(data.val.ids!.slice(0, 10));
    expect(same(small.train.x, data.train.x.subarray(0, 100 * 1836))).toBe(true);
    expect(small.test.y).toHaveLength(50 * 159);
  });
});

describe('bookmarks load', () => {
  it('missing files give MISSING_DATA naming the expected paths and where to put them', async () => {
    let err: unknown;
    try {
      await bookmarksTask.load(ctx());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AlenError);
    const { code, message } = err as AlenError;
    expect(code).toBe('MISSING_DATA');
    const dir = path.join(DATA_DIR, 'bookmarks');
    expect(message).toContain(`MISSING ${path.join(dir, 'bookmarks-train.arff')}`);
    expect(message).toContain(`MISSING ${path.join(dir, 'bookmarks-test.arff')}`);
    expect(message).toContain(`found   ${path.join(dir, 'bookmarks.xml')}`);
    expect(message).toContain(`put bookmarks-train.arff and bookmarks-test.arff in ${dir}${path.sep}`);
    expect(message).toMatch(/--data \/ ALEN_DATA/);
  });

  it('an empty data dir lists all three files', async () => {
    const dir = tempDir();
    await expect(bookmarksTask.load(ctx({ dataDir: dir }))).rejects.toThrow(/3 of 3 data files missing[\s\S]*bookmarks\.xml/);
  });

  it('loads a bookmarks-shaped synthetic dataset (sparse) and its labels are learnable from features', async () => {
    const dir = tempDir();
    const w = writeSyntheticDataset(dir, { ...BOOKMARKS_SHAPE, train: 400, test: 100, seed: 7 });
    const data = await bookmarksTask.load(ctx({ dataDir: dir, seed: 3 }));
    expect([data.train.size, data.val.size, data.test.size]).toEqual([380, 20, 100]);
    expect(data.train.xShape).toEqual([2150]);
    expect(data.train.yShape).toEqual([208]);
    expect((data.train.meta as { labelNames: string[] }).labelNames).toEqual(w.labelNames);
    // the generating rule predicts the labels exactly: label k = any trigger feature on (standardized > 0)
    const predict = (d: Dataset): Float32Array => {
      const p = new Float32Array(d.size * 208);
      for (let r = 0; r < d.size; r++) {
        w.rule.triggers.forEach((ts, k) => {
          if (ts.some((f) => d.x[r * 2150 + f]! > 0)) p[r * 208 + k] = 1;
        });
      }
      return p;
    };
    expect(exampleF1(predict(data.test), data.test.y, 208)).toBe(100);
    const card = data.train.y.reduce((a, b) => a + b, 0) / data.train.size;
    expect(card).toBeGreaterThan(1);
    expect(card).toBeLessThan(4);
  });

  it('a dense synthetic file with a wrong feature count is a SHAPE_MISMATCH naming the file', async () => {
    const dir = tempDir();
    const w = writeSyntheticDataset(dir, { name: 'bookmarks', nFeatures: 30, nLabels: 208, train: 20, test: 5, seed: 1, format: 'dense' });
    await expect(loadMultilabel(BOOKMARKS, ctx({ dataDir: dir }))).rejects.toThrow(
      new RegExp(`${w.trainFile}: 30 feature attributes, but bookmarks has 2150`),
    );
  });

  it('train and test headers must agree', async () => {
    const dir = tempDir();
    const w = writeSyntheticDataset(dir, { ...BOOKMARKS_SHAPE, train: 20, test: 5, seed: 1 });
    fs.writeFileSync(w.testFile, fs.readFileSync(w.testFile, 'utf8').replace('@attribute f5 {0,1}', '@attribute g5 {0,1}'));
    await expect(bookmarksTask.load(ctx({ dataDir: dir }))).rejects.toThrow(/bookmarks-test\.arff: feature 5 is 'g5' but in .*bookmarks-train\.arff it is 'f5'/);
  });
});

describe('permuteRows', () => {
  it('reorders rows in place (new row i = old row order[i])', () => {
    const a = Float32Array.from([0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
    permuteRows(a, 2, Int32Array.from([3, 0, 4, 1, 2]));
    expect(Array.from(a)).toEqual([3, 3, 0, 0, 4, 4, 1, 1, 2, 2]);
  });
});
