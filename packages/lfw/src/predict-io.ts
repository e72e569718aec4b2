/**
 * `alen predict` input and output for LFW: images in, colour label maps and soft maps out.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { AlenError, listImageFiles, mapLimit } from '@alen/core';
import { CLASS_COLORS, CLASS_NAMES, FULL_SIZE, NUM_CLASSES, SIZE, X_LEN, Y_LEN, Y_SHAPE } from './constants.js';
import { decodeRgb, toInput } from './image.js';
import { upsampleArgmax } from './upsample.js';

/**
 * Reads one image or every image of a folder (core's {@link listImageFiles}: sorted by name),
 * resized exactly as in training (area averaging to 32×32, values in [0, 1]). Ids are the paths.
 */
export async function readLfwInput(file: string): Promise<{ x: Float32Array; n: number; ids: string[] }> {
  const files = listImageFiles(file);
  const x = new Float32Array(files.length * X_LEN);
  await mapLimit(files, 8, async (f, i) => {
    toInput(await decodeRgb(f), SIZE, x, i * X_LEN);
  });
  return { x, n: files.length, ids: files };
}

async function originalSize(id: string | undefined): Promise<{ width: number; height: number }> {
  if (id && existsSync(id) && statSync(id).isFile()) {
    const m = await sharp(id).metadata();
    if (m.width && m.height) return { width: m.width, height: m.height };
  }
  return { width: FULL_SIZE, height: FULL_SIZE };
}

/** Colour label map (red hair, green face, blue background) of one prediction at width × height. */
export async function writeLabelPng(file: string, pred: Float32Array, index: number, width: number, height: number): Promise<void> {
  const cls = upsampleArgmax(pred, index * Y_LEN, SIZE, SIZE, NUM_CLASSES, height, width);
  const rgb = Buffer.alloc(width * height * 3);
  for (let p = 0; p < cls.length; p++) {
    const c = CLASS_COLORS[cls[p]!]!;
    rgb[3 * p] = c[0];
    rgb[3 * p + 1] = c[1];
    rgb[3 * p + 2] = c[2];
  }
  await sharp(rgb, { raw: { width, height, channels: 3 } }).png().toFile(file);
}

/**
 * Writes predictions. `out` ending in `.png` with one image: that PNG plus the soft map in the
 * same name with `.json`. Otherwise `out` is a folder: `<image name>.png` per image (at the input
 * image's original size; 250×250 when the id is not a file) and `predictions.json` with the
 * 32×32×3 soft maps ([y][x][class], classes hair, face, background).
 */
export async function writeLfwOutput(out: string, pred: Float32Array, n: number, ids?: readonly string[]): Promise<void> {
  if (pred.length !== n * Y_LEN) throw new AlenError('SHAPE_MISMATCH', `writeOutput: ${pred.length} values for ${n} predictions of ${Y_LEN}`);
  const single = n === 1 && /\.png$/i.test(out);
  const dir = single ? path.dirname(out) : out;
  await mkdir(dir, { recursive: true });
  const used = new Set<string>();
  const names = Array.from({ length: n }, (_, i) => {
    let base = ids?.[i] ? path.basename(ids[i]!).replace(/\.[^.]+$/, '') : `prediction_${i}`;
    if (used.has(base)) base = `${base}_${i}`;
    used.add(base);
    return base;
  });
  const items = await mapLimit(names, 4, async (base, i) => {
    const { width, height } = await originalSize(ids?.[i]);
    const png = single ? out : path.join(dir, `${base}.png`);
    await writeLabelPng(png, pred, i, width, height);
    const soft = Array.from(pred.subarray(i * Y_LEN, (i + 1) * Y_LEN), (v) => Math.round(v * 1e5) / 1e5);
    return { id: ids?.[i] ?? base, png: path.basename(png), width, height, soft };
  });
  const json = {
    task: 'lfw',
    classes: CLASS_NAMES,
    colors: CLASS_COLORS,
    shape: Y_SHAPE,
    layout: 'row-major [y][x][class]; each pixel sums to 1',
    predictions: items,
  };
  await writeFile(single ? out.replace(/\.png$/i, '.json') : path.join(dir, 'predictions.json'), JSON.stringify(json));
}
