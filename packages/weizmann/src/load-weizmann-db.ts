import fs from 'node:fs';
import path from 'node:path';
import type { TaskData } from '@alen/core';
import { AlenError, mapLimit } from '@alen/core';
import { DB_MASK_DIR, DB_RGB_DIR, SPLIT_FILE, dbMaskPath, dbRgbPath } from './paths.js';
import { parseSplitFile, type SplitEntry } from './split-file.js';
import { applyLimit, buildTaskData, type HorseRecord, type Limit } from './dataset.js';
import { assertFilesExist } from './missing-files.js';
import { decodeResized, imageSize } from './decode-image.js';

export interface WeizmannDbOptions {
  /** Side of the square images and masks (default 32). */
  readonly size?: number;
  readonly limit?: Limit;
  readonly log?: (message: string) => void;
  /** Images decoded at the same time (default 8). */
  readonly concurrency?: number;
}

/** Mask threshold on the resized 8-bit figure_ground image (white = horse). */
export const MASK_THRESHOLD = 128;
/** An RGB image whose brightest byte is at most this is reported as almost black (rgb/horse318.jpg). */
export const ALMOST_BLACK_MAX = 8;
/** Largest relative difference of aspect ratios between an rgb image and its mask (measured: ≤ 0.56 %). */
export const ASPECT_TOLERANCE = 0.03;

async function decodeHorse(rgbPath: string, maskPath: string, size: number, log?: (m: string) => void): Promise<HorseRecord> {
  const [rgbDim, maskDim] = await Promise.all([imageSize(rgbPath), imageSize(maskPath)]);
  const ratio = rgbDim.width / rgbDim.height / (maskDim.width / maskDim.height);
  if (Math.abs(Math.log(ratio)) > ASPECT_TOLERANCE) {
    throw new AlenError(
      'SHAPE_MISMATCH',
      `${rgbPath} is ${rgbDim.width}×${rgbDim.height} but its mask ${maskPath} is ${maskDim.width}×${maskDim.height}: ` +
        `aspect ratios differ by ${(Math.abs(ratio - 1) * 100).toFixed(1)} % (they must show the same picture)`,
    );
  }
  // The rgb images come at other sizes than their masks: bring rgb to the mask's size, then both to size×size.
  const rgbAtMask = await decodeResized(rgbPath, maskDim.width, maskDim.height, 3);
  let max = 0;
  for (const v of rgbAtMask.data) if (v > max) max = v;
  if (max <= ALMOST_BLACK_MAX) log?.(`warning: ${rgbPath} decodes almost black (largest value ${max}); kept as it is`);
  const rgb = await decodeResized(rgbAtMask, size, size, 3, rgbPath);
  const grey = await decodeResized(maskPath, size, size, 1);
  const mask = new Uint8Array(size * size);
  for (let i = 0; i < mask.length; i++) mask[i] = grey.data[i]! >= MASK_THRESHOLD ? 1 : 0;
  return { rgb: rgb.data, mask };
}

/**
 * The original Weizmann horse database (`horses/weizmann_horse_db`): `rgb/horseNNN.jpg` resized to
 * the size of `figure_ground/horseNNN.jpg`, then both resized to `size × size` (Lanczos 3, aspect
 * ratio not kept, as the 32×32 CHOPPS set); the mask is thresholded at 128 after resizing. Same
 * split, ids and scaling (x = RGB / 255) as {@link loadChopps}.
 */
export async function loadWeizmannDb(dataDir: string, opts: WeizmannDbOptions = {}): Promise<TaskData> {
  const size = opts.size ?? 32;
  if (!Number.isInteger(size) || size < 4) throw new AlenError('BAD_CONFIG', `weizmann: size must be an integer ≥ 4, got ${String(opts.size)}`);
  assertFilesExist(dataDir, [SPLIT_FILE, DB_RGB_DIR, DB_MASK_DIR], 'Weizmann horse database');
  const splitFile = path.join(dataDir, SPLIT_FILE);
  const entries = applyLimit(parseSplitFile(fs.readFileSync(splitFile, 'utf8'), splitFile), opts.limit);
  const needed: SplitEntry[] = [...entries.train, ...entries.val, ...entries.test];
  for (const e of needed) {
    const want = [dbRgbPath(dataDir, e.horse), dbMaskPath(dataDir, e.horse)];
    const missing = want.filter((p) => !fs.existsSync(p));
    if (missing.length) {
      throw new AlenError('MISSING_DATA', `${splitFile}:${e.line}: horse ${e.horse} has no image: missing ${missing.join(' and ')}`);
    }
  }
  opts.log?.(`weizmann: decoding ${needed.length} images of the Weizmann horse database at ${size}×${size}`);
  const decoded = await mapLimit(needed, opts.concurrency ?? 8, (e) =>
    decodeHorse(dbRgbPath(dataDir, e.horse), dbMaskPath(dataDir, e.horse), size, opts.log),
  );
  const byHorse = new Map(needed.map((e, i) => [e.horse, decoded[i]!]));
  return buildTaskData(entries, size, (h) => byHorse.get(h)!, { source: 'db' });
}
