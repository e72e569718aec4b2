import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { AlenError } from '@alen/core';
import { loadLfw } from '../src/load.js';
import { makeFakeLfw, ppmOf, SMALL_SPLITS, syntheticMap, tmpDir, writeJpeg } from './helpers.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
function fresh(tag: string): string {
  const d = tmpDir(tag);
  dirs.push(d);
  return d;
}
const load = (dataDir: string) => loadLfw({ dataDir, cache: 'off' });

async function expectError(p: Promise<unknown>, code: string, re: RegExp): Promise<void> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AlenError);
  expect((e as AlenError).code).toBe(code);
  expect((e as AlenError).message).toMatch(re);
}

describe('bad inputs are errors naming the file', () => {
  it('a synthetic layout loads (sanity check for the cases below)', async () => {
    const root = await makeFakeLfw(fresh('ok'), SMALL_SPLITS);
    const d = await load(root);
    expect(d.train.ids).toEqual(['Ann_Bee_0001', 'Ann_Bee_0002']);
    expect(d.test.ids).toEqual(['Eve_Fox_0012', 'Gus_Hay_0001']);
    // The release's plain .ppm labels are read too.
    const gz = path.join(root, 'lfw', 'parts_lfw_funneled_gt_images', 'Gus_Hay_0001.ppm.gz');
    fs.writeFileSync(gz.slice(0, -3), gunzipSync(fs.readFileSync(gz)));
    fs.rmSync(gz);
    const again = await load(root);
    expect(Buffer.from(again.test.y.buffer).equals(Buffer.from(d.test.y.buffer))).toBe(true);
  });

  it('no data folder: MISSING_DATA listing the expected paths', async () => {
    const root = fresh('empty');
    await expectError(load(root), 'MISSING_DATA', /parts_train\.txt.*parts_validation\.txt.*parts_test\.txt.*lfw_funneled.*parts_lfw_funneled_gt_images/s);
  });

  it('a list naming a missing image or label', async () => {
    const a = await makeFakeLfw(fresh('noimg'), SMALL_SPLITS, { skipImage: 'Cid_Dee_0003' });
    await expectError(load(a), 'MISSING_DATA', /parts_validation\.txt:1: Cid_Dee_0003: image .*lfw_funneled[\\/]Cid_Dee[\\/]Cid_Dee_0003\.jpg not found/);
    const b = await makeFakeLfw(fresh('nolab'), SMALL_SPLITS, { skipLabel: 'Eve_Fox_0012' });
    await expectError(load(b), 'MISSING_DATA', /parts_test\.txt:1: Eve_Fox_0012: label .*Eve_Fox_0012\.ppm\.gz \(or \.ppm\) not found/);
  });

  it('label with a wrong header, a wrong size, a bad colour, a truncated gzip', async () => {
    const header = await makeFakeLfw(fresh('hdr'), SMALL_SPLITS, {
      label: (id) => (id === 'Ann_Bee_0002' ? ppmOf(syntheticMap(), 250, 250, 'P5 250 250 255\n') : ppmOf(syntheticMap(), 250, 250)),
    });
    await expectError(load(header), 'BAD_DATA', /Ann_Bee_0002\.ppm\.gz: not a binary PPM: magic number is 'P5'/);

    const size = await makeFakeLfw(fresh('size'), SMALL_SPLITS, {
      label: (id) => (id === 'Gus_Hay_0001' ? ppmOf(new Uint8Array(250 * 240).fill(2), 250, 240) : ppmOf(syntheticMap(), 250, 250)),
    });
    await expectError(load(size), 'BAD_DATA', /Gus_Hay_0001\.ppm\.gz: label image is 250×240, expected 250×250/);

    const colour = await makeFakeLfw(fresh('colour'), SMALL_SPLITS, {
      label: (id) => {
        const b = ppmOf(syntheticMap(), 250, 250);
        if (id === 'Ann_Bee_0001') b.fill(128, 15 + (100 * 250 + 30) * 3, 15 + (100 * 250 + 31) * 3);
        return b;
      },
    });
    await expectError(load(colour), 'BAD_DATA', /Ann_Bee_0001\.ppm\.gz: pixel \(x=30, y=100\) has colour \(128,128,128\)/);

    const trunc = await makeFakeLfw(fresh('trunc'), SMALL_SPLITS);
    const f = path.join(trunc, 'lfw', 'parts_lfw_funneled_gt_images', 'Cid_Dee_0003.ppm.gz');
    const gz = gzipSync(ppmOf(syntheticMap(), 250, 250));
    fs.writeFileSync(f, gz.subarray(0, gz.length >> 1));
    await expectError(load(trunc), 'BAD_DATA', /Cid_Dee_0003\.ppm\.gz: corrupt or truncated gzip data/);
  });

  it('an image of the wrong size, or not an image', async () => {
    const root = await makeFakeLfw(fresh('imgsize'), SMALL_SPLITS);
    await writeJpeg(path.join(root, 'lfw', 'lfw_funneled', 'Ann_Bee', 'Ann_Bee_0002.jpg'), 120, 250);
    await expectError(load(root), 'BAD_DATA', /Ann_Bee_0002\.jpg: image is 120×250, expected 250×250/);
    fs.writeFileSync(path.join(root, 'lfw', 'lfw_funneled', 'Ann_Bee', 'Ann_Bee_0002.jpg'), 'not a jpeg');
    await expectError(load(root), 'BAD_DATA', /Ann_Bee_0002\.jpg: cannot decode image/);
  });

  it('a malformed or overlapping split list', async () => {
    const root = await makeFakeLfw(fresh('list'), SMALL_SPLITS);
    const list = path.join(root, 'lfw', 'parts_test.txt');
    fs.writeFileSync(list, 'Eve_Fox 12\nGus_Hay\n');
    await expectError(load(root), 'BAD_DATA', /parts_test\.txt:2: expected 'Name N'/);
    fs.writeFileSync(list, 'Eve_Fox 12\nAnn_Bee 2\n');
    await expectError(load(root), 'BAD_DATA', /parts_test\.txt:2: Ann_Bee_0002 is also listed in .*parts_train\.txt:2/);
  });
});
