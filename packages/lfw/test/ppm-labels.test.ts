import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parsePpm } from '../src/ppm.js';
import { labelColoursToClasses, readLabelMap } from '../src/label-map.js';
import { LFW, ppmOf, tmpDir } from './helpers.js';

const labelFile = (id: string) => path.join(LFW, 'parts_lfw_funneled_gt_images', `${id}.ppm.gz`);

/** Independent count straight from the decompressed bytes (header is 15 bytes in this release). */
function rawCounts(id: string): { hair: number; face: number; background: number; other: number } {
  const buf = gunzipSync(fs.readFileSync(labelFile(id)));
  expect(buf.subarray(0, 15).toString('latin1')).toBe('P6 250 250 255\n');
  expect(buf.length).toBe(15 + 250 * 250 * 3);
  const c = { hair: 0, face: 0, background: 0, other: 0 };
  for (let i = 15; i < buf.length; i += 3) {
    const key = `${buf[i]},${buf[i + 1]},${buf[i + 2]}`;
    if (key === '255,0,0') c.hair++;
    else if (key === '0,255,0') c.face++;
    else if (key === '0,0,255') c.background++;
    else c.other++;
  }
  return c;
}

function countClasses(m: Uint8Array): number[] {
  const c = [0, 0, 0];
  for (const v of m) c[v]!++;
  return c;
}

describe('PPM label images', () => {
  it('real label images: pinned class counts, computed independently from the gz bytes', async () => {
    const pinned: Record<string, [number, number, number]> = {
      Inga_Hall_0001: [16725, 14485, 31290],
      Clara_Harris_0001: [13889, 14729, 33882],
      Aaron_Peirsol_0001: [8221, 13311, 40968],
    };
    for (const [id, counts] of Object.entries(pinned)) {
      const raw = rawCounts(id);
      expect(raw.other).toBe(0); // every pixel is one of the three colours
      expect([raw.hair, raw.face, raw.background]).toEqual(counts);
      const map = await readLabelMap(labelFile(id));
      expect(map.length).toBe(62500);
      expect(countClasses(map)).toEqual(counts);
    }
  });

  it('parses headers with comments and any whitespace (netpbm rules)', () => {
    const px = Buffer.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 255, 255, 0, 0, 0, 255, 0]);
    for (const head of ['P6 3 2 255\n', 'P6\n# a comment\n3\t2 # another\n255\n', 'P6\r\n3\r\n2\r\n255 ', 'P6 3 2 255# after maxval\n']) {
      const p = parsePpm(Buffer.concat([Buffer.from(head, 'latin1'), px]), 'x.ppm');
      expect([p.width, p.height, p.maxval]).toEqual([3, 2, 255]);
      expect(Array.from(labelColoursToClasses(p, 'x.ppm'))).toEqual([0, 1, 2, 2, 0, 1]);
    }
  });

  it('rejects bad PPMs, naming the file', () => {
    const px = Buffer.alloc(3 * 2 * 3);
    const mk = (h: string, body = px) => Buffer.concat([Buffer.from(h, 'latin1'), body]);
    expect(() => parsePpm(mk('P3 3 2 255\n'), 'a.ppm')).toThrow(/a\.ppm: not a binary PPM: magic number is 'P3'/);
    expect(() => parsePpm(mk('P6 3 x 255\n'), 'b.ppm')).toThrow(/b\.ppm: PPM header: expected the height/);
    expect(() => parsePpm(mk('P6 3 2 65535\n'), 'c.ppm')).toThrow(/c\.ppm: .*2-byte samples/);
    expect(() => parsePpm(mk('P6 3 2 255\n', px.subarray(0, 10)), 'd.ppm')).toThrow(/d\.ppm: truncated PPM: 3×2 needs 18 bytes of pixels, found 10/);
    expect(() => parsePpm(mk('P6 3 2 255\n', Buffer.alloc(20)), 'e.ppm')).toThrow(/e\.ppm: PPM has 2 unexpected bytes/);
    expect(() => parsePpm(mk('P6 3 2'), 'f.ppm')).toThrow(/f\.ppm: PPM header/);
  });

  it('rejects a colour other than red/green/blue, naming file and pixel', () => {
    const m = new Uint8Array(250 * 250).fill(2);
    const buf = ppmOf(m, 250, 250);
    const off = 15 + (7 * 250 + 4) * 3; // pixel x=4, y=7
    buf[off] = 10;
    expect(() => labelColoursToClasses(parsePpm(buf, 'odd.ppm'), 'odd.ppm')).toThrow(/odd\.ppm: pixel \(x=4, y=7\) has colour \(10,0,255\)/);
  });

  it('readLabelMap: wrong size, truncated gzip and plain .ppm', async () => {
    const dir = tmpDir('ppm');
    const small = path.join(dir, 'small.ppm.gz');
    fs.writeFileSync(small, gzipSync(ppmOf(new Uint8Array(200 * 250).fill(1), 200, 250)));
    await expect(readLabelMap(small)).rejects.toThrow(/small\.ppm\.gz: label image is 200×250, expected 250×250/);
    const trunc = path.join(dir, 'trunc.ppm.gz');
    const gz = gzipSync(ppmOf(new Uint8Array(62500).fill(1), 250, 250));
    fs.writeFileSync(trunc, gz.subarray(0, gz.length - 40));
    await expect(readLabelMap(trunc)).rejects.toThrow(/trunc\.ppm\.gz: corrupt or truncated gzip data/);
    const plain = path.join(dir, 'plain.ppm');
    fs.writeFileSync(plain, ppmOf(new Uint8Array(62500).fill(1), 250, 250));
    expect(countClasses(await readLabelMap(plain))).toEqual([0, 62500, 0]);
    fs.rmSync(dir, { recursive: true });
  });
});
