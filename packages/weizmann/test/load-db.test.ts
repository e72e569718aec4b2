import { describe, expect, it } from 'vitest';
import { loadWeizmannDb } from '../src/load-weizmann-db.js';
import { loadChopps } from '../src/load-chopps.js';
import { iouCounts } from '../src/metrics.js';
import { DATA_ROOT } from './helpers.js';

// horse318 (the almost black rgb JPEG) is val position 11: keep 12 val images.
const limit = { train: 2, val: 12, test: 1 };

describe('loadWeizmannDb on the real database', () => {
  it('decodes 32×32 images and binary masks, warns about horse318, and agrees with CHOPPS', async () => {
    const messages: string[] = [];
    const db = await loadWeizmannDb(DATA_ROOT, { size: 32, limit, log: (m) => messages.push(m) });
    expect([db.train.size, db.val.size, db.test.size]).toEqual([2, 12, 1]);
    expect(db.val.xShape).toEqual([32, 32, 3]);
    expect(db.val.yShape).toEqual([32, 32, 1]);
    expect(db.val.x.length).toBe(12 * 32 * 32 * 3);
    expect(db.val.y.every((v) => v === 0 || v === 1)).toBe(true);
    expect(db.val.x.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(db.val.ids![11]).toBe('horse318');
    expect(messages.some((m) => m.includes('horse318.jpg') && m.includes('almost black'))).toBe(true);
    expect(messages.filter((m) => m.includes('almost black'))).toHaveLength(1);
    expect(db.val.meta?.taskState).toEqual({ size: 32 });

    // Same ids and roughly the same masks as the CHOPPS arrays (catches transposed or flipped masks).
    const chopps = await loadChopps(DATA_ROOT, { limit });
    expect(db.val.ids).toEqual(chopps.val.ids);
    const c = iouCounts(db.val.y, chopps.val.y, 12, 1024);
    expect(c.intersection / c.union).toBeGreaterThan(0.8);
  });

  it('resizes to 48×48', async () => {
    const db = await loadWeizmannDb(DATA_ROOT, { size: 48, limit: { train: 2, val: 1, test: 1 } });
    expect(db.train.xShape).toEqual([48, 48, 3]);
    expect(db.train.yShape).toEqual([48, 48, 1]);
    expect(db.train.x.length).toBe(2 * 48 * 48 * 3);
    expect(db.train.y.length).toBe(2 * 48 * 48);
    expect(db.train.y.every((v) => v === 0 || v === 1)).toBe(true);
    const area = db.train.y.subarray(0, 48 * 48).reduce((a, b) => a + b, 0);
    expect(area).toBeGreaterThan(100);
    expect(area).toBeLessThan(48 * 48 - 100);
  });
});
