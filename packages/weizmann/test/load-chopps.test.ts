import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadChopps } from '../src/load-chopps.js';
import { CHOPPS_IMAGES, CHOPPS_MASKS, SPLIT_FILE } from '../src/paths.js';
import { DATA_ROOT } from './helpers.js';

describe('loadChopps on the real files', async () => {
  const data = await loadChopps(DATA_ROOT);

  it('reads 328 records split 160 / 40 / 128 with the DVN shapes', () => {
    expect(fs.statSync(path.join(DATA_ROOT, CHOPPS_IMAGES)).size).toBe(328 * 32 * 32 * 3);
    expect(fs.statSync(path.join(DATA_ROOT, CHOPPS_MASKS)).size).toBe(328 * 32 * 32);
    expect([data.train.size, data.val.size, data.test.size]).toEqual([160, 40, 128]);
    for (const d of [data.train, data.val, data.test]) {
      expect(d.xShape).toEqual([32, 32, 3]);
      expect(d.yShape).toEqual([32, 32, 1]);
      expect(d.x.length).toBe(d.size * 32 * 32 * 3);
      expect(d.y.length).toBe(d.size * 32 * 32);
      expect(d.ids).toHaveLength(d.size);
    }
    const all = new Set([...data.train.ids!, ...data.val.ids!, ...data.test.ids!]);
    expect(all.size).toBe(328);
  });

  it('follows the split file order and scales pixels to [0, 1]', () => {
    const lines = fs.readFileSync(path.join(DATA_ROOT, SPLIT_FILE), 'utf8').split('\n').filter((l) => /^\w/.test(l));
    expect(lines[0]).toBe('train 0 23');
    expect(data.train.ids![0]).toBe('horse023');
    expect(data.val.ids![0]).toBe('horse012');
    expect(data.test.ids![0]).toBe('horse018');
    const bytes = fs.readFileSync(path.join(DATA_ROOT, CHOPPS_IMAGES));
    // horse023 is record 22; its first pixel's red channel:
    expect(data.train.x[0]).toBeCloseTo(bytes[22 * 3072]! / 255, 7);
    let min = Infinity, max = -Infinity;
    for (const v of data.train.x) { if (v < min) min = v; if (v > max) max = v; }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThanOrEqual(1);
    expect(max).toBeGreaterThan(0.9);
  });

  it('gives horse001 its mask from the file (area pinned and recomputed from the bytes)', () => {
    const i = data.test.ids!.indexOf('horse001');
    expect(i).toBeGreaterThanOrEqual(0);
    const mask = data.test.y.subarray(i * 1024, (i + 1) * 1024);
    const area = mask.reduce((a, b) => a + b, 0);
    expect(area).toBe(198);
    const bytes = fs.readFileSync(path.join(DATA_ROOT, CHOPPS_MASKS));
    let fromBytes = 0;
    for (let j = 0; j < 1024; j++) fromBytes += bytes[j]!;
    expect(area).toBe(fromBytes);
    // Row-major [y][x]: the same pixel order as the bytes.
    expect(Array.from(mask)).toEqual(Array.from(bytes.subarray(0, 1024)));
    expect(data.train.y.every((v) => v === 0 || v === 1)).toBe(true);
  });

  it('honours limit', async () => {
    const small = await loadChopps(DATA_ROOT, { limit: { train: 5, test: 0 } });
    expect([small.train.size, small.val.size, small.test.size]).toEqual([5, 40, 0]);
    expect(small.train.ids).toEqual(data.train.ids!.slice(0, 5));
    expect(Array.from(small.train.y)).toEqual(Array.from(data.train.y.subarray(0, 5 * 1024)));
  });
});
