import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { AlenError } from '@alen/core';
import { loadChopps } from '../src/load-chopps.js';
import { loadWeizmannDb } from '../src/load-weizmann-db.js';
import { parseSplitFile } from '../src/split-file.js';
import { CHOPPS_IMAGES, CHOPPS_MASKS, DB_MASK_DIR, DB_RGB_DIR, SPLIT_FILE } from '../src/paths.js';
import { DATA_ROOT, removeTempDirs, tempDir } from './helpers.js';

afterAll(removeTempDirs);

const SPLIT = '# test split\ntrain 0 1\ntrain 1 2\nval 0 3\ntest 0 4\n';

/** A synthetic chopps32 folder: zero images, empty masks, a 4-line split. */
function choppsDir(over: { images?: Buffer; masks?: Buffer; split?: string } = {}): string {
  const dir = tempDir('chopps');
  fs.mkdirSync(path.join(dir, path.dirname(CHOPPS_IMAGES)), { recursive: true });
  fs.writeFileSync(path.join(dir, CHOPPS_IMAGES), over.images ?? Buffer.alloc(328 * 3072));
  fs.writeFileSync(path.join(dir, CHOPPS_MASKS), over.masks ?? Buffer.alloc(328 * 1024));
  fs.writeFileSync(path.join(dir, SPLIT_FILE), over.split ?? SPLIT);
  return dir;
}

async function rejection(p: Promise<unknown>): Promise<AlenError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AlenError);
    return e as AlenError;
  }
  throw new Error('expected a rejection');
}

describe('chopps loader on bad input', () => {
  it('loads the well-formed synthetic folder (the fixture itself is fine)', async () => {
    const data = await loadChopps(choppsDir());
    expect([data.train.size, data.val.size, data.test.size]).toEqual([2, 1, 1]);
  });

  it('rejects a truncated images .bin, naming it', async () => {
    const dir = choppsDir({ images: Buffer.alloc(328 * 3072 - 5) });
    const e = await rejection(loadChopps(dir));
    expect(e.code).toBe('BAD_DATA');
    expect(e.message).toContain(path.join(dir, CHOPPS_IMAGES));
    expect(e.message).toContain('not a multiple');
  });

  it('rejects a masks .bin with 327 records, naming it', async () => {
    const dir = choppsDir({ masks: Buffer.alloc(327 * 1024) });
    const e = await rejection(loadChopps(dir));
    expect(e.message).toContain(path.join(dir, CHOPPS_MASKS));
    expect(e.message).toMatch(/327 records.*expected 328/);
  });

  it('rejects a mask value other than 0/1 with record and pixel', async () => {
    const masks = Buffer.alloc(328 * 1024);
    masks[5 * 1024 + 3 * 32 + 7] = 255;
    const e = await rejection(loadChopps(choppsDir({ masks })));
    expect(e.message).toContain(CHOPPS_MASKS.split('/').pop()!);
    expect(e.message).toContain('horse006');
    expect(e.message).toContain('y=3, x=7');
  });

  it('rejects a split line naming a missing horse, with file:line', async () => {
    const dir = choppsDir({ split: '# c\ntrain 0 1\nval 0 2\ntest 0 400\n' });
    const e = await rejection(loadChopps(dir));
    expect(e.code).toBe('BAD_DATA');
    expect(e.message).toContain(`${path.join(dir, SPLIT_FILE)}:4`);
    expect(e.message).toContain('400');
  });

  it('rejects malformed split lines with file:line', () => {
    const f = 'dvn_split.txt';
    expect(() => parseSplitFile('train 0 1\nval 0\n', f)).toThrow(`${f}:2`);
    expect(() => parseSplitFile('train 0 1\nvalid 0 2\ntest 0 3', f)).toThrow(/dvn_split.txt:2: unknown split 'valid'/);
    expect(() => parseSplitFile('train 0 1\nval 0 x\ntest 0 3', f)).toThrow(`${f}:2`);
    expect(() => parseSplitFile('train 0 1\nval 0 1\ntest 0 3', f)).toThrow(/:2: horse 1 is listed twice/);
    expect(() => parseSplitFile('train 0 1\nval 0 2\n', f)).toThrow(/no 'test' lines/);
    const ok = parseSplitFile('# x\r\ntrain 1 5\r\ntrain 0 6\r\n\r\nval 0 2\ntest 0 3\n', f);
    expect(ok.train.map((e) => e.horse)).toEqual([6, 5]);
    expect(ok.train[0]!.line).toBe(3);
  });

  it('reports every expected path when files are missing', async () => {
    const dir = tempDir('empty');
    const e = await rejection(loadChopps(dir));
    expect(e.code).toBe('MISSING_DATA');
    for (const p of [CHOPPS_IMAGES, CHOPPS_MASKS, SPLIT_FILE]) expect(e.message).toContain(path.join(dir, p));
  });
});

/** A synthetic database folder with horses 1..3 (40×30 rgb, 20×15 masks: same aspect ratio). */
async function dbDir(split = 'train 0 1\nval 0 2\ntest 0 3\n'): Promise<string> {
  const dir = tempDir('db');
  fs.mkdirSync(path.join(dir, DB_RGB_DIR), { recursive: true });
  fs.mkdirSync(path.join(dir, DB_MASK_DIR), { recursive: true });
  fs.mkdirSync(path.join(dir, path.dirname(SPLIT_FILE)), { recursive: true });
  fs.writeFileSync(path.join(dir, SPLIT_FILE), split);
  for (const n of [1, 2, 3]) {
    const rgb = Buffer.alloc(40 * 30 * 3, 100 + n);
    await sharp(rgb, { raw: { width: 40, height: 30, channels: 3 } }).jpeg().toFile(path.join(dir, DB_RGB_DIR, `horse00${n}.jpg`));
    const mask = Buffer.alloc(20 * 15);
    for (let y = 5; y < 12; y++) for (let x = 4; x < 16; x++) mask[y * 20 + x] = 255;
    await sharp(mask, { raw: { width: 20, height: 15, channels: 1 } }).jpeg().toFile(path.join(dir, DB_MASK_DIR, `horse00${n}.jpg`));
  }
  return dir;
}

describe('database loader on bad input', () => {
  it('loads the well-formed synthetic database', async () => {
    const data = await loadWeizmannDb(await dbDir(), { size: 8 });
    expect(data.train.xShape).toEqual([8, 8, 3]);
    // rectangle x 4..15 of 20, y 5..11 of 15 → about x 2..6, y 3..5 at 8×8
    const area = data.train.y.reduce((a, b) => a + b, 0);
    expect(area).toBeGreaterThan(6);
    expect(area).toBeLessThan(30);
    expect(data.train.x[0]).toBeCloseTo(101 / 255, 1);
  });

  it('rejects a corrupt JPEG, naming it', async () => {
    const dir = await dbDir();
    const bad = path.join(dir, DB_RGB_DIR, 'horse002.jpg');
    fs.writeFileSync(bad, Buffer.from('this is not a JPEG at all'));
    const e = await rejection(loadWeizmannDb(dir));
    expect(e.code).toBe('BAD_DATA');
    expect(e.message).toContain(bad);
  });

  it('rejects a truncated real JPEG, naming it', async () => {
    const dir = await dbDir();
    const real = fs.readFileSync(path.join(DATA_ROOT, DB_RGB_DIR, 'horse001.jpg'));
    const bad = path.join(dir, DB_RGB_DIR, 'horse003.jpg');
    fs.writeFileSync(bad, real.subarray(0, Math.floor(real.length / 2)));
    // Keep the aspect ratio of the real image for the mask so only the truncation is wrong.
    await sharp(Buffer.alloc(80 * 59), { raw: { width: 80, height: 59, channels: 1 } }).jpeg().toFile(path.join(dir, DB_MASK_DIR, 'horse003.jpg'));
    const e = await rejection(loadWeizmannDb(dir));
    expect(e.code).toBe('BAD_DATA');
    expect(e.message).toContain(bad);
  });

  it('rejects an image and mask that do not show the same picture (sizes disagree)', async () => {
    const dir = await dbDir();
    const mask = path.join(dir, DB_MASK_DIR, 'horse001.jpg');
    await sharp(Buffer.alloc(30 * 30), { raw: { width: 30, height: 30, channels: 1 } }).jpeg().toFile(mask);
    const e = await rejection(loadWeizmannDb(dir));
    expect(e.code).toBe('SHAPE_MISMATCH');
    expect(e.message).toContain(mask);
    expect(e.message).toContain(path.join(dir, DB_RGB_DIR, 'horse001.jpg'));
    expect(e.message).toContain('40×30');
  });

  it('rejects a split line whose horse has no files, with file:line and the expected paths', async () => {
    const dir = await dbDir('train 0 1\nval 0 2\ntest 0 3\ntest 1 9\n');
    const e = await rejection(loadWeizmannDb(dir));
    expect(e.code).toBe('MISSING_DATA');
    expect(e.message).toContain(`${path.join(dir, SPLIT_FILE)}:4`);
    expect(e.message).toContain(path.join(dir, DB_RGB_DIR, 'horse009.jpg'));
  });

  it('reports the expected folders when the database is missing', async () => {
    const dir = tempDir('nodb');
    const e = await rejection(loadWeizmannDb(dir));
    expect(e.code).toBe('MISSING_DATA');
    expect(e.message).toContain(path.join(dir, DB_RGB_DIR));
    expect(e.message).toContain(path.join(dir, DB_MASK_DIR));
  });
});
