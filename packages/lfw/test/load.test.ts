import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import type { LoadContext } from '@alen/core';
import { loadLfw, optionsFromContext } from '../src/load.js';
import { lfwMeta } from '../src/meta.js';
import { readLabelMap } from '../src/label-map.js';
import { DATA_DIR, LFW, tmpDir } from './helpers.js';

const cacheDir = tmpDir('cache');
afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));
const limit = { train: 3, val: 2, test: 4 };

describe('loading the real data (first examples only)', () => {
  it('shapes, ids, value ranges and full-resolution maps', async () => {
    const logs: string[] = [];
    const d = await loadLfw({ dataDir: DATA_DIR, limit, cacheDir, log: (m) => logs.push(m) });
    expect([d.train.size, d.val.size, d.test.size]).toEqual([3, 2, 4]);
    expect(d.train.ids).toEqual(['Inga_Hall_0001', 'Ted_Turner_0001', 'Herb_Sendek_0003']);
    expect(d.val.ids![0]).toBe('Dianne_Feinstein_0002'); // "Dianne_Feinstein 2" in the list
    for (const s of [d.train, d.val, d.test]) {
      expect(s.xShape).toEqual([32, 32, 3]);
      expect(s.yShape).toEqual([32, 32, 3]);
      expect(s.x.length).toBe(s.size * 3072);
      expect(s.y.length).toBe(s.size * 3072);
      for (const v of s.x) expect(v >= 0 && v <= 1).toBe(true);
      for (let p = 0; p < s.y.length; p += 3) expect(Math.abs(s.y[p]! + s.y[p + 1]! + s.y[p + 2]! - 1)).toBeLessThan(1e-6);
      const meta = lfwMeta(s)!;
      expect(meta.classMaps.length).toBe(s.size * 62500);
      expect(meta.superpixels).toBeUndefined(); // the superpixel files are not on this machine
    }
    // The class map is the label image; the input is the image's area average (mean preserved).
    const map = await readLabelMap(path.join(LFW, 'parts_lfw_funneled_gt_images', 'Inga_Hall_0001.ppm.gz'));
    expect(Buffer.from(lfwMeta(d.train)!.classMaps.subarray(0, 62500)).equals(Buffer.from(map))).toBe(true);
    const raw = await sharp(path.join(LFW, 'lfw_funneled', 'Inga_Hall', 'Inga_Hall_0001.jpg')).raw().toBuffer();
    for (let c = 0; c < 3; c++) {
      let a = 0;
      let b = 0;
      for (let p = 0; p < 62500; p++) a += raw[3 * p + c]! / 255;
      for (let p = 0; p < 1024; p++) b += d.train.x[3 * p + c]!;
      expect(b / 1024).toBeCloseTo(a / 62500, 4);
    }
    expect(logs.some((m) => /decoding 3 images/.test(m))).toBe(true);
    expect(fs.readdirSync(cacheDir).sort()).toEqual(['test.bin', 'train.bin', 'val.bin']);
  });

  it('second load comes from the cache, identical; a larger limit decodes only the rest', async () => {
    const first = await loadLfw({ dataDir: DATA_DIR, limit, cacheDir });
    const logs: string[] = [];
    const again = await loadLfw({ dataDir: DATA_DIR, limit, cacheDir, log: (m) => logs.push(m) });
    expect(logs.filter((m) => /from cache/.test(m))).toHaveLength(3);
    expect(logs.some((m) => /decoding/.test(m))).toBe(false);
    for (const s of ['train', 'val', 'test'] as const) {
      expect(Buffer.from(again[s].x.buffer).equals(Buffer.from(first[s].x.buffer))).toBe(true);
      expect(Buffer.from(again[s].y.buffer).equals(Buffer.from(first[s].y.buffer))).toBe(true);
      expect(again[s].ids).toEqual(first[s].ids);
    }
    const bigger: string[] = [];
    const d5 = await loadLfw({ dataDir: DATA_DIR, limit: { ...limit, train: 5 }, cacheDir, log: (m) => bigger.push(m) });
    expect(bigger.some((m) => /lfw\/train: decoding 2 images \(3 from cache\)/.test(m))).toBe(true);
    expect(Buffer.from(d5.train.x.buffer, 0, 3 * 3072 * 4).equals(Buffer.from(first.train.x.buffer))).toBe(true);
    // A smaller limit is served from the longer cache.
    const small: string[] = [];
    const d1 = await loadLfw({ dataDir: DATA_DIR, limit: { train: 1, val: 1, test: 1 }, cacheDir, log: (m) => small.push(m) });
    expect(d1.train.size).toBe(1);
    expect(small.filter((m) => /from cache/.test(m))).toHaveLength(3);
  });

  it('rebuilds a corrupt or stale cache, and cache=off writes nothing', async () => {
    const file = path.join(cacheDir, 'val.bin');
    const good = fs.readFileSync(file);
    const ref = await loadLfw({ dataDir: DATA_DIR, limit, cacheDir });
    // Corrupt: truncated file.
    fs.writeFileSync(file, good.subarray(0, good.length - 100));
    let logs: string[] = [];
    let d = await loadLfw({ dataDir: DATA_DIR, limit, cacheDir, log: (m) => logs.push(m) });
    expect(logs.some((m) => /ignoring cache .*val\.bin: size/.test(m))).toBe(true);
    expect(Buffer.from(d.val.x.buffer).equals(Buffer.from(ref.val.x.buffer))).toBe(true);
    expect(fs.readFileSync(file).equals(good)).toBe(true); // rewritten
    // Stale: same layout, different key (as if a list or a file size had changed).
    const stale = Buffer.from(good);
    const at = stale.indexOf('"key":"') + 7;
    stale[at] = stale[at] === 0x30 ? 0x31 : 0x30;
    fs.writeFileSync(file, stale);
    logs = [];
    d = await loadLfw({ dataDir: DATA_DIR, limit, cacheDir, log: (m) => logs.push(m) });
    expect(logs.some((m) => /val\.bin: stale/.test(m))).toBe(true);
    expect(fs.readFileSync(file).equals(good)).toBe(true);
    // Wrong version / garbage.
    fs.writeFileSync(file, Buffer.from('not a cache'));
    logs = [];
    await loadLfw({ dataDir: DATA_DIR, limit, cacheDir, log: (m) => logs.push(m) });
    expect(logs.some((m) => /val\.bin: not an lfw cache file/.test(m))).toBe(true);
    // Rebuild on request.
    logs = [];
    await loadLfw({ dataDir: DATA_DIR, limit: { train: 1, val: 1, test: 1 }, cacheDir, cache: 'rebuild', log: (m) => logs.push(m) });
    expect(logs.filter((m) => /decoding 1 images/.test(m))).toHaveLength(3);
    const off = tmpDir('off');
    fs.rmSync(off, { recursive: true });
    await loadLfw({ dataDir: DATA_DIR, limit: { train: 1, val: 1, test: 1 }, cacheDir: off, cache: 'off' });
    expect(fs.existsSync(off)).toBe(false);
    // No temporary files are left behind.
    expect(fs.readdirSync(cacheDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('reads its options from the load context', () => {
    const ctx: LoadContext = { dataDir: DATA_DIR, seed: 0, limit, options: { cacheDir, cache: 'rebuild', superpixels: 'off', concurrency: '3' } };
    expect(optionsFromContext(ctx)).toMatchObject({ dataDir: DATA_DIR, limit, cacheDir, cache: 'rebuild', superpixels: 'off', concurrency: 3 });
    expect(() => optionsFromContext({ ...ctx, options: { cache: 'maybe' } })).toThrow(/cache=maybe: choose one of on, off, rebuild/);
    expect(() => optionsFromContext({ ...ctx, options: { concurrency: '0' } })).toThrow(/concurrency=0/);
  });
});
