import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

export const DATA_DIR = fileURLToPath(new URL('../../../../shared/data', import.meta.url));
export const LFW = path.join(DATA_DIR, 'lfw');

export function tmpDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `alen-lfw-${tag}-`));
}

export const COLORS = [
  [255, 0, 0],
  [0, 255, 0],
  [0, 0, 255],
] as const;

/** Binary PPM bytes of a class map (0 hair, 1 face, 2 background). */
export function ppmOf(classes: ArrayLike<number>, width: number, height: number, header = `P6 ${width} ${height} 255\n`): Buffer {
  const head = Buffer.from(header, 'latin1');
  const px = Buffer.alloc(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    const c = COLORS[classes[p]!]!;
    px[3 * p] = c[0];
    px[3 * p + 1] = c[1];
    px[3 * p + 2] = c[2];
  }
  return Buffer.concat([head, px]);
}

/** A class map with hair on top, face in the middle band, background elsewhere. */
export function syntheticMap(size = 250, seed = 0): Uint8Array {
  const m = new Uint8Array(size * size).fill(2);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (y < 60 + seed && x > 50 && x < 200) m[y * size + x] = 0;
      else if (y >= 60 + seed && y < 200 && x > 70 && x < 180) m[y * size + x] = 1;
    }
  }
  return m;
}

export async function writeJpeg(file: string, width = 250, height = 250, seed = 0): Promise<void> {
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 31 + seed * 17 + ((i / 3 / width) | 0)) % 256;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 95 }).toFile(file);
}

export interface FakeEntry {
  name: string;
  num: string;
}

/**
 * A small LFW layout under `<root>/lfw`: split lists, JPEG images and gzipped PPM labels.
 * Returns the data root (what `dataDir` expects).
 */
export async function makeFakeLfw(
  root: string,
  splits: { train: FakeEntry[]; val: FakeEntry[]; test: FakeEntry[] },
  opts: { skipImage?: string; skipLabel?: string; label?: (id: string) => Buffer } = {},
): Promise<string> {
  const lfw = path.join(root, 'lfw');
  fs.mkdirSync(path.join(lfw, 'lfw_funneled'), { recursive: true });
  fs.mkdirSync(path.join(lfw, 'parts_lfw_funneled_gt_images'), { recursive: true });
  const files = { train: 'parts_train.txt', val: 'parts_validation.txt', test: 'parts_test.txt' } as const;
  let seed = 0;
  for (const s of ['train', 'val', 'test'] as const) {
    fs.writeFileSync(path.join(lfw, files[s]), splits[s].map((e) => `${e.name} ${e.num}\n`).join(''));
    for (const e of splits[s]) {
      const id = `${e.name}_${String(Number(e.num)).padStart(4, '0')}`;
      seed++;
      if (opts.skipImage !== id) await writeJpeg(path.join(lfw, 'lfw_funneled', e.name, `${id}.jpg`), 250, 250, seed);
      if (opts.skipLabel !== id) {
        const ppm = opts.label?.(id) ?? ppmOf(syntheticMap(250, seed % 5), 250, 250);
        fs.writeFileSync(path.join(lfw, 'parts_lfw_funneled_gt_images', `${id}.ppm.gz`), gzipSync(ppm));
      }
    }
  }
  return root;
}

export const SMALL_SPLITS = {
  train: [
    { name: 'Ann_Bee', num: '1' },
    { name: 'Ann_Bee', num: '0002' },
  ],
  val: [{ name: 'Cid_Dee', num: '0003' }],
  test: [
    { name: 'Eve_Fox', num: '12' },
    { name: 'Gus_Hay', num: '0001' },
  ],
};
