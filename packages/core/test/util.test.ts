import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AlenError, IMAGE_EXTENSIONS, archBoolean, archNumber, archString, checkDataset, concatDatasets, detached, listImageFiles, mapLimit, tf } from '../src/index.js';
import type { BuildContext, HyperParams } from '../src/index.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof AlenError ? e.code : 'not an AlenError';
  }
  return undefined;
}

describe('archNumber', () => {
  const ctx = { hp: { arch: { hidden: '64', rate: 0.5 } } as unknown as HyperParams } as Pick<BuildContext, 'hp'>;

  it('reads hp.arch or a build context, parses strings and falls back to the default', () => {
    expect(archNumber({ hidden: 32 }, 'hidden', 150)).toBe(32);
    expect(archNumber(ctx, 'hidden', 150, { integer: true, min: 1 })).toBe(64);
    expect(archNumber(ctx, 'rate', 0, { min: 0, max: 0.99 })).toBe(0.5);
    expect(archNumber(undefined, 'hidden', 150)).toBe(150);
    expect(archNumber({}, 'layers', 2, { min: 1, max: 2, integer: true })).toBe(2);
  });

  it('throws BAD_CONFIG naming the option, the rule and the value', () => {
    expect(() => archNumber({ hidden: 'many' }, 'hidden', 150, { integer: true, min: 1 })).toThrow(
      'arch option hidden must be an integer ≥ 1, got hidden=many',
    );
    expect(() => archNumber({ hidden: 2.5 }, 'hidden', 150, { integer: true })).toThrow('hidden must be an integer, got hidden=2.5');
    expect(() => archNumber({ drop: 1 }, 'drop', 0, { min: 0, max: 0.99 })).toThrow('drop must be a number in [0, 0.99], got drop=1');
    expect(() => archNumber({ lr: -1 }, 'lr', 1, { max: 0 })).not.toThrow();
    expect(() => archNumber({ lr: 1 }, 'lr', 1, { max: 0 })).toThrow('lr must be a number ≤ 0, got lr=1');
    expect(() => archNumber({ w: '' }, 'w', 1)).toThrow('w must be a number, got w=');
    expect(() => archNumber({ w: true }, 'w', 1)).toThrow(/w must be a number, got w=true/);
    expect(codeOf(() => archNumber({ w: 'Infinity' }, 'w', 1))).toBe('BAD_CONFIG');
    // A default outside the rule is a bug in the caller: it is reported too.
    expect(() => archNumber({}, 'layers', 3, { max: 2 })).toThrow('layers must be a number ≤ 2, got layers=3');
  });
});

describe('archBoolean and archString', () => {
  it('read booleans and strings, with choices', () => {
    expect(archBoolean({ bn: 'true' }, 'bn', false)).toBe(true);
    expect(archBoolean({ bn: 0 }, 'bn', true)).toBe(false);
    expect(archBoolean(undefined, 'bn', true)).toBe(true);
    expect(() => archBoolean({ bn: 'yes' }, 'bn', false)).toThrow('arch option bn must be true or false, got bn=yes');
    expect(archString({ init: 'he' }, 'init', 'torch', ['he', 'torch'] as const)).toBe('he');
    expect(archString({}, 'init', 'torch', ['he', 'torch'] as const)).toBe('torch');
    expect(() => archString({ init: 'xavier' }, 'init', 'torch', ['he', 'torch'])).toThrow(
      'arch option init must be one of he, torch, got init=xavier',
    );
    expect(() => archString({ act: 3 }, 'act', 'relu')).toThrow('act must be a string, got act=3');
    expect(codeOf(() => archString({ act: 3 }, 'act', 'relu'))).toBe('BAD_CONFIG');
  });
});

describe('mapLimit', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('keeps the input order with at most `limit` calls in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const out = await mapLimit([5, 1, 4, 2, 3, 0, 6], 3, async (v, i) => {
      most = Math.max(most, ++inFlight);
      await sleep(v * 3);
      inFlight--;
      return `${i}:${v * 10}`;
    });
    expect(out).toEqual(['0:50', '1:10', '2:40', '3:20', '4:30', '5:0', '6:60']);
    expect(most).toBe(3);
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
    expect(await mapLimit([1, 2], 100, async (v) => v + 1)).toEqual([2, 3]);
  });

  it('rejects with the first error and starts no new call after it', async () => {
    const started: number[] = [];
    const run = mapLimit([0, 1, 2, 3, 4, 5, 6, 7], 2, async (v) => {
      started.push(v);
      await sleep(5);
      if (v === 2) throw new Error(`item ${v} failed`);
      return v;
    });
    await expect(run).rejects.toThrow('item 2 failed');
    await sleep(30);
    expect(started).toEqual([0, 1, 2, 3]);
  });

  it('refuses a limit below 1', async () => {
    await expect(mapLimit([1], 0, async (v) => v)).rejects.toThrow('mapLimit: limit must be ≥ 1, got 0');
    await expect(mapLimit([1], Number.NaN, async (v) => v)).rejects.toThrow(AlenError);
  });
});

describe('listImageFiles', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alen-util-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lists the image files of a folder sorted by name, or returns a single file as it is', () => {
    const imgs = path.join(dir, 'imgs');
    fs.mkdirSync(path.join(imgs, 'sub.jpg'), { recursive: true });
    for (const f of ['b.PNG', 'a.jpg', 'c.jpeg', 'notes.txt', 'd.webp', 'e.tif', 'f.TIFF', 'noext']) fs.writeFileSync(path.join(imgs, f), '');
    expect(listImageFiles(imgs).map((f) => path.basename(f))).toEqual(['a.jpg', 'b.PNG', 'c.jpeg', 'd.webp', 'e.tif', 'f.TIFF']);
    expect(listImageFiles(imgs)[0]).toBe(path.join(imgs, 'a.jpg'));
    expect(listImageFiles(imgs, ['.png', '.TXT']).map((f) => path.basename(f))).toEqual(['b.PNG', 'notes.txt']);
    expect(listImageFiles(path.join(imgs, 'notes.txt'))).toEqual([path.join(imgs, 'notes.txt')]);
    expect(IMAGE_EXTENSIONS).toContain('.jpg');
  });

  it('throws MISSING_DATA naming a missing path or a folder without images', () => {
    const missing = path.join(dir, 'nope.jpg');
    expect(() => listImageFiles(missing)).toThrow(`${missing}: input not found (give an image file or a folder of images)`);
    expect(codeOf(() => listImageFiles(missing))).toBe('MISSING_DATA');
    const empty = path.join(dir, 'empty');
    fs.mkdirSync(empty);
    fs.writeFileSync(path.join(empty, 'readme.md'), '');
    expect(() => listImageFiles(empty)).toThrow(`${empty}: folder holds no images (.jpg, .jpeg, .png, .webp, .tif, .tiff)`);
    expect(codeOf(() => listImageFiles(empty))).toBe('MISSING_DATA');
    expect(() => listImageFiles(empty, ['.bmp'])).toThrow(`${empty}: folder holds no images (.bmp)`);
  });
});

describe('detached', () => {
  it('is a constant for the enclosing gradient, computed without recording', () => {
    const a = tf.scalar(3);
    // d/da [a · const(a²)] = a² = 9; without the detach it would be 3a² = 27.
    const g = tf.grad((x: tf.Tensor) => tf.mul(x, detached(() => tf.mul(x, x))))(a);
    expect(g.dataSync()[0]).toBeCloseTo(9, 5);
    const before = tf.memory().numTensors;
    const v = detached(() => tf.tidy(() => tf.add(tf.mul(a, 2), 1)));
    expect(v.dataSync()[0]).toBeCloseTo(7, 5);
    v.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, g]);
  });
});

describe('concatDatasets', () => {
  const part = (name: string, n: number, v: number, extra: object = {}) => ({
    name, size: n, x: new Float32Array(n * 2).fill(v), xShape: [2], y: new Float32Array(n).fill(v), yShape: [1],
    ids: Array.from({ length: n }, (_, i) => `${name}#${i}`), ...extra,
  });

  it('joins the examples in order and keeps only the first split\'s taskState', () => {
    const a = part('t/train', 2, 1, { meta: { taskState: { mean: [3] }, perExample: [1, 2] } });
    const b = part('t/val', 1, 2, { meta: { taskState: { mean: [9] } } });
    const d = concatDatasets('t/train+val', [a, b]);
    expect(d.size).toBe(3);
    expect([...d.x]).toEqual([1, 1, 1, 1, 2, 2]);
    expect([...d.y]).toEqual([1, 1, 2]);
    expect(d.ids).toEqual(['t/train#0', 't/train#1', 't/val#0']);
    expect(d.meta).toEqual({ taskState: { mean: [3] } });
    expect(() => checkDataset(d)).not.toThrow();
  });

  it('refuses splits of different shapes, naming both', () => {
    const b = { ...part('t/val', 1, 2), xShape: [1, 2] };
    expect(() => concatDatasets('t/all', [part('t/train', 2, 1), b])).toThrow(/t\/val has x \[1,2\].*t\/train x \[2\]/);
    expect(codeOf(() => concatDatasets('t/all', []))).toBe('BAD_DATA');
  });
});
