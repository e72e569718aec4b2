import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { loadLfw } from '../src/load.js';
import { readLfwInput, writeLfwOutput } from '../src/predict-io.js';
import { DATA_DIR, LFW, tmpDir, writeJpeg } from './helpers.js';

const dir = tmpDir('predict');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('alen predict input/output', () => {
  it('reads a folder of images resized exactly like the training inputs', async () => {
    const inDir = path.join(dir, 'in');
    fs.mkdirSync(inDir);
    fs.copyFileSync(path.join(LFW, 'lfw_funneled', 'Inga_Hall', 'Inga_Hall_0001.jpg'), path.join(inDir, 'a_face.jpg'));
    await writeJpeg(path.join(inDir, 'b_small.jpg'), 100, 60);
    fs.writeFileSync(path.join(inDir, 'notes.txt'), 'ignored');
    const r = await readLfwInput(inDir);
    expect(r.n).toBe(2);
    expect(r.ids).toEqual([path.join(inDir, 'a_face.jpg'), path.join(inDir, 'b_small.jpg')]);
    expect(r.x.length).toBe(2 * 3072);
    const d = await loadLfw({ dataDir: DATA_DIR, limit: { train: 1, val: 0, test: 0 }, cache: 'off' });
    expect(Array.from(r.x.subarray(0, 3072))).toEqual(Array.from(d.train.x));
    const one = await readLfwInput(path.join(inDir, 'b_small.jpg'));
    expect(one.n).toBe(1);
    expect(Array.from(one.x)).toEqual(Array.from(r.x.subarray(3072)));
    await expect(readLfwInput(path.join(dir, 'nope.jpg'))).rejects.toThrow(/nope\.jpg: input not found/);
    const empty = path.join(dir, 'empty');
    fs.mkdirSync(empty);
    await expect(readLfwInput(empty)).rejects.toThrow(/empty: folder holds no/);
  });

  it('writes colour label maps at the original size and the soft maps as JSON', async () => {
    const inDir = path.join(dir, 'in');
    const ids = [path.join(inDir, 'a_face.jpg'), path.join(inDir, 'b_small.jpg')];
    const pred = new Float32Array(2 * 3072);
    for (let p = 0; p < 1024; p++) {
      pred[3 * p + (p % 32 < 16 ? 0 : 2)] = 1; // image 0: hair left, background right
      pred[3072 + 3 * p + 1] = 1; // image 1: face
    }
    const out = path.join(dir, 'out');
    await writeLfwOutput(out, pred, 2, ids);
    expect(fs.readdirSync(out).sort()).toEqual(['a_face.png', 'b_small.png', 'predictions.json']);
    const a = await sharp(path.join(out, 'a_face.png')).raw().toBuffer({ resolveWithObject: true });
    expect([a.info.width, a.info.height, a.info.channels]).toEqual([250, 250, 3]);
    const px = (x: number, y: number) => Array.from(a.data.subarray((y * 250 + x) * 3, (y * 250 + x) * 3 + 3));
    expect(px(10, 100)).toEqual([255, 0, 0]);
    expect(px(240, 100)).toEqual([0, 0, 255]);
    const b = await sharp(path.join(out, 'b_small.png')).raw().toBuffer({ resolveWithObject: true });
    expect([b.info.width, b.info.height]).toEqual([100, 60]);
    for (let p = 0; p < 6000; p++) expect(Array.from(b.data.subarray(3 * p, 3 * p + 3))).toEqual([0, 255, 0]);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'predictions.json'), 'utf8'));
    expect(json.classes).toEqual(['hair', 'face', 'background']);
    expect(json.predictions).toHaveLength(2);
    expect(json.predictions[1]).toMatchObject({ id: ids[1], png: 'b_small.png', width: 100, height: 60 });
    expect(json.predictions[0].soft).toHaveLength(3072);
    expect(json.predictions[0].soft.slice(0, 3)).toEqual([1, 0, 0]);
  });

  it('a single .png output path for one image', async () => {
    const pred = new Float32Array(3072);
    for (let p = 0; p < 1024; p++) {
      pred[3 * p] = 0.1;
      pred[3 * p + 2] = 0.9;
    }
    const file = path.join(dir, 'single', 'mask.png');
    await writeLfwOutput(file, pred, 1, ['Some_Person_0001']);
    const meta = await sharp(file).metadata();
    expect([meta.width, meta.height]).toEqual([250, 250]); // an id that is not a file: LFW size
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'single', 'mask.json'), 'utf8'));
    expect(json.predictions[0].soft.slice(0, 3)).toEqual([0.1, 0, 0.9]);
    await expect(writeLfwOutput(file, pred, 2)).rejects.toThrow(/3072 values for 2 predictions/);
  });
});
