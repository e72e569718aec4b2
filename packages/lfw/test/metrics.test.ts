import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Dataset } from '@alen/core';
import { classProportions } from '../src/area-resize.js';
import { evaluateLfw } from '../src/metrics.js';
import { loadLfw } from '../src/load.js';
import { lfwMeta } from '../src/meta.js';
import {
  parseSuperpixelLabels, parseSuperpixelMap, readSuperpixels, superpixelCounts, SuperpixelSource,
} from '../src/superpixels.js';
import { makeFakeLfw, SMALL_SPLITS, tmpDir } from './helpers.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const N = 250;
function mapOf(f: (x: number, y: number) => number): Uint8Array {
  const m = new Uint8Array(N * N);
  for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) m[y * N + x] = f(x, y);
  return m;
}
/** Image A: hair left of x = 125, background right. Image B: all face. */
const gtA = mapOf((x) => (x < 125 ? 0 : 2));
const gtB = mapOf(() => 1);

function dataset(maps: Uint8Array[], superpixels?: SuperpixelSource): Dataset {
  const y = new Float32Array(maps.length * 3072);
  maps.forEach((m, i) => classProportions(m, N, N, 3, 32, 32, y, i * 3072));
  const classMaps = new Uint8Array(maps.length * N * N);
  maps.forEach((m, i) => classMaps.set(m, i * N * N));
  return {
    name: 'lfw/hand', size: maps.length, x: new Float32Array(maps.length * 3072), xShape: [32, 32, 3], y, yShape: [32, 32, 3],
    ids: maps.map((_, i) => `P_${i}_0001`),
    meta: { classMaps, fullSize: N, classNames: ['hair', 'face', 'background'], ...(superpixels ? { superpixels } : {}) },
  };
}

/** Prediction: image A = its own target proportions, image B = background everywhere. */
function prediction(d: Dataset): Float32Array {
  const pred = new Float32Array(d.y.length);
  pred.set(d.y.subarray(0, 3072));
  for (let p = 0; p < 1024; p++) pred[3072 + 3 * p + 2] = 1;
  return pred;
}

function writeDat(lfwDir: string, id: string, map: Int32Array | Uint8Array, labels: number[]): void {
  const name = id.slice(0, -5);
  const rows: string[] = [];
  for (let y = 0; y < N; y++) rows.push(Array.from(map.subarray(y * N, (y + 1) * N)).join(' ') + ' \n');
  fs.mkdirSync(path.join(lfwDir, 'parts_lfw_funneled_superpixels_mat', name), { recursive: true });
  fs.mkdirSync(path.join(lfwDir, 'parts_lfw_funneled_gt', name), { recursive: true });
  fs.writeFileSync(path.join(lfwDir, 'parts_lfw_funneled_superpixels_mat', name, `${id}.dat`), rows.join(''));
  fs.writeFileSync(path.join(lfwDir, 'parts_lfw_funneled_gt', name, `${id}.dat`), `${labels.length}\n${labels.join('\n')}\n`);
}

// Superpixels of A: 0 = top-left (x<150, y<125; 125 hair + 25 background columns), 1 = top-right,
// 2 = bottom-left (x<100), 3 = bottom-right (x≥100; 25 hair + 125 background columns).
const spA = Int32Array.from(mapOf((x, y) => (y < 125 ? (x < 150 ? 0 : 1) : x < 100 ? 2 : 3)));
const labelsA = [0, 2, 0, 0]; // majority votes: hair ✓, background ✓, hair ✓, background ✗
// Superpixels of B: 0 = rows < 100, 1 = the rest, 2 = listed but owns no pixel (counts as wrong).
const spB = Int32Array.from(mapOf((_, y) => (y < 100 ? 0 : 1)));
const labelsB = [2, 1, 2]; // prediction is background: ✓, ✗, ✗(empty)

describe('metrics', () => {
  it('perfect prediction scores 100 everywhere', () => {
    const d = dataset([gtA, gtB]);
    const m = evaluateLfw(d.y, d);
    expect(m).toMatchObject({ pixelAcc32: 100, pixelAcc250: 100, iouHair: 100, iouFace: 100, iouBackground: 100, meanIou: 100 });
    expect(m.superpixelAcc).toBeUndefined();
  });

  it('hand case: half right at 32 and 250, pooled per-class IOU', () => {
    const d = dataset([gtA, gtB]);
    const m = evaluateLfw(prediction(d), d);
    expect(m.pixelAcc32).toBe(50);
    expect(m.pixelAcc250).toBe(50); // the A boundary falls exactly between 32×32 columns 15 and 16
    expect(m.iouHair).toBe(100);
    expect(m.iouFace).toBe(0);
    expect(m.iouBackground).toBeCloseTo((100 * 31250) / (31250 + 62500), 10);
    expect(m.meanIou).toBeCloseTo((100 + 0 + 100 / 3) / 3, 10);
    expect(() => evaluateLfw(new Float32Array(10), d)).toThrow(/10 predicted values, expected 2/);
  });

  it('without full-resolution maps only pixelAcc32 is reported', () => {
    const d = { ...dataset([gtA]), meta: undefined };
    expect(evaluateLfw(d.y, d)).toEqual({ pixelAcc32: 100 });
  });
});

describe('superpixel accuracy (GLOC protocol)', () => {
  it('majority vote per superpixel, pooled over images: 4 of 7', () => {
    const lfwDir = tmpDir('sp');
    dirs.push(lfwDir);
    writeDat(lfwDir, 'P_0_0001', spA, labelsA);
    writeDat(lfwDir, 'P_1_0001', spB, labelsB);
    const src = new SuperpixelSource(lfwDir, ['P_0_0001', 'P_1_0001']);
    expect(src.missing()).toEqual([]);
    const sp = src.get(0);
    expect(Array.from(sp.labels)).toEqual(labelsA);
    expect(sp.map[124 * N + 149]).toBe(0);
    expect(sp.map[125 * N + 100]).toBe(3);
    expect(superpixelCounts(gtA, sp)).toEqual({ correct: 3, total: 4 }); // the ground truth itself misses sp 3
    const d = dataset([gtA, gtB], src);
    const m = evaluateLfw(prediction(d), d);
    expect(m.superpixelAcc).toBeCloseTo((100 * 4) / 7, 10);
    expect(m.pixelAcc250).toBe(50);
  });

  it('file format checks name file and line', () => {
    const row = (n: number) => Array(n).fill(0).join(' ');
    const good = Array.from({ length: 250 }, () => row(250)).join('\n');
    expect(parseSuperpixelMap(good, 'm.dat').length).toBe(62500);
    expect(parseSuperpixelMap(good.replace(/ 0/g, ' 0.0'), 'm.dat').length).toBe(62500); // MATLAB-style floats
    const lines = good.split('\n');
    lines[3] = row(249);
    expect(() => parseSuperpixelMap(lines.join('\n'), 'm.dat')).toThrow(/m\.dat:4: row has 249 values, expected 250/);
    expect(() => parseSuperpixelMap(good.split('\n').slice(0, 249).join('\n'), 'm.dat')).toThrow(/m\.dat: expected 250 rows of 250 superpixel indices, found 249 rows/);
    expect(() => parseSuperpixelMap(good.replace('0', '-1'), 'm.dat')).toThrow(/m\.dat:1: unexpected character '-'/);
    expect(() => parseSuperpixelMap(good.replace('0', '0.5'), 'm.dat')).toThrow(/m\.dat:1: expected an integer/);
    expect(Array.from(parseSuperpixelLabels('3\n0\n1\n2\n', 'g.dat'))).toEqual([0, 1, 2]);
    expect(() => parseSuperpixelLabels('3\n0\n1\n', 'g.dat')).toThrow(/g\.dat: announces 3 superpixels but lists 2 labels/);
    expect(() => parseSuperpixelLabels('2\n0\n3\n', 'g.dat')).toThrow(/g\.dat:3: label 3 of superpixel 1/);
    expect(() => parseSuperpixelLabels('1\n0\n1\n', 'g.dat')).toThrow(/g\.dat:3: more than the 1 labels/);
    expect(() => parseSuperpixelLabels('', 'g.dat')).toThrow(/g\.dat: empty/);
  });

  it('a map index beyond the label count is an error naming both files and the pixel', () => {
    const lfwDir = tmpDir('spbad');
    dirs.push(lfwDir);
    writeDat(lfwDir, 'P_0_0001', spA, [0, 2, 0]);
    expect(() => readSuperpixels(lfwDir, 'P_0_0001')).toThrow(/P_0_0001\.dat:126: pixel \(x=100, y=125\) is in superpixel 3, but .*P_0_0001\.dat labels only 0\.\.2/);
  });

  it('load() finds the superpixel files automatically; superpixels=on requires them', async () => {
    const root = await makeFakeLfw(tmpDir('spload'), SMALL_SPLITS);
    dirs.push(root);
    const lfwDir = path.join(root, 'lfw');
    await expect(loadLfw({ dataDir: root, cache: 'off', superpixels: 'on' })).rejects.toThrow(/superpixels=on but .*parts_lfw_funneled_superpixels_mat/);
    const ids = ['Ann_Bee_0001', 'Ann_Bee_0002', 'Cid_Dee_0003', 'Eve_Fox_0012', 'Gus_Hay_0001'];
    for (const id of ids.slice(0, 4)) writeDat(lfwDir, id, spA, labelsA);
    await expect(loadLfw({ dataDir: root, cache: 'off' })).rejects.toThrow(/2 superpixel file\(s\) missing for test, e\.g\. .*superpixels_mat.*Gus_Hay_0001\.dat, .*parts_lfw_funneled_gt.*Gus_Hay_0001\.dat/);
    writeDat(lfwDir, 'Gus_Hay_0001', spB, labelsB);
    const d = await loadLfw({ dataDir: root, cache: 'off' });
    expect(lfwMeta(d.test)!.superpixels).toBeInstanceOf(SuperpixelSource);
    const m = evaluateLfw(d.test.y, d.test);
    expect(m.superpixelAcc).toBeGreaterThan(0);
    expect(m.superpixelAcc).toBeLessThanOrEqual(100);
    const off = await loadLfw({ dataDir: root, cache: 'off', superpixels: 'off' });
    expect(evaluateLfw(off.test.y, off.test).superpixelAcc).toBeUndefined();
  });
});
