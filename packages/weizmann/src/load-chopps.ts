import fs from 'node:fs/promises';
import path from 'node:path';
import type { TaskData } from '@alen/core';
import { dataError } from '@alen/core';
import { CHOPPS_IMAGES, CHOPPS_MASKS, CHOPPS_SIZE, NUM_HORSES, SPLIT_FILE, horseId } from './paths.js';
import { parseSplitFile } from './split-file.js';
import { applyLimit, buildTaskData, type Limit } from './dataset.js';
import { assertFilesExist } from './missing-files.js';

export interface ChoppsOptions {
  readonly limit?: Limit;
}

const IMAGE_BYTES = CHOPPS_SIZE * CHOPPS_SIZE * 3;
const MASK_BYTES = CHOPPS_SIZE * CHOPPS_SIZE;

/** Reads a headerless `.bin` of `NUM_HORSES` fixed-size records, failing on any other size. */
async function readRecords(file: string, recordBytes: number): Promise<Uint8Array> {
  const buf = await fs.readFile(file);
  if (buf.length % recordBytes !== 0) {
    throw dataError(file, undefined, `size ${buf.length} bytes is not a multiple of the record size ${recordBytes} (truncated or wrong file?)`);
  }
  const n = buf.length / recordBytes;
  if (n !== NUM_HORSES) {
    throw dataError(file, undefined, `holds ${n} records of ${recordBytes} bytes, expected ${NUM_HORSES} (truncated or wrong file?)`);
  }
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
}

function checkMaskValues(masks: Uint8Array, file: string): void {
  for (let i = 0; i < masks.length; i++) {
    const v = masks[i]!;
    if (v > 1) {
      const rec = Math.floor(i / MASK_BYTES);
      const p = i % MASK_BYTES;
      throw dataError(
        file,
        undefined,
        `record ${rec} (${horseId(rec + 1)}) pixel (y=${Math.floor(p / CHOPPS_SIZE)}, x=${p % CHOPPS_SIZE}) is ${v}; masks must be 0 or 1`,
      );
    }
  }
}

/**
 * The 32×32 CHOPPS version of the Weizmann horses (`horses/chopps32`) with the DVN split:
 * x = RGB / 255 in [0, 1], shape [32, 32, 3]; y = {0,1} mask, shape [32, 32, 1]; ids `horseNNN`.
 */
export async function loadChopps(dataDir: string, opts: ChoppsOptions = {}): Promise<TaskData> {
  assertFilesExist(dataDir, [CHOPPS_IMAGES, CHOPPS_MASKS, SPLIT_FILE], 'Weizmann horses (chopps32)');
  const imagesFile = path.join(dataDir, CHOPPS_IMAGES);
  const masksFile = path.join(dataDir, CHOPPS_MASKS);
  const splitFile = path.join(dataDir, SPLIT_FILE);
  const [images, masks, splitText] = await Promise.all([
    readRecords(imagesFile, IMAGE_BYTES),
    readRecords(masksFile, MASK_BYTES),
    fs.readFile(splitFile, 'utf8'),
  ]);
  checkMaskValues(masks, masksFile);
  const entries = applyLimit(parseSplitFile(splitText, splitFile, NUM_HORSES), opts.limit);
  const record = (horse: number) => ({
    rgb: images.subarray((horse - 1) * IMAGE_BYTES, horse * IMAGE_BYTES),
    mask: masks.subarray((horse - 1) * MASK_BYTES, horse * MASK_BYTES),
  });
  return buildTaskData(entries, CHOPPS_SIZE, record, { source: 'chopps' });
}
