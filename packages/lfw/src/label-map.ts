import { readFile } from 'node:fs/promises';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { dataError } from '@alen/core';
import { CLASS_COLORS, CLASS_NAMES, FULL_SIZE } from './constants.js';
import { parsePpm, type Ppm } from './ppm.js';

const gunzipAsync = promisify(gunzip);

/**
 * Class index per pixel (row-major) of a label image: (255,0,0) → 0 hair, (0,255,0) → 1 face,
 * (0,0,255) → 2 background. Any other colour is an error naming the file and pixel (x, y).
 */
export function labelColoursToClasses(ppm: Ppm, file: string): Uint8Array {
  if (ppm.maxval !== 255) throw dataError(file, undefined, `label image maxval is ${ppm.maxval}, expected 255`);
  const n = ppm.width * ppm.height;
  const out = new Uint8Array(n);
  const d = ppm.data;
  for (let p = 0; p < n; p++) {
    const r = d[3 * p]!;
    const g = d[3 * p + 1]!;
    const b = d[3 * p + 2]!;
    if (r === 255 && g === 0 && b === 0) out[p] = 0;
    else if (r === 0 && g === 255 && b === 0) out[p] = 1;
    else if (r === 0 && g === 0 && b === 255) out[p] = 2;
    else {
      const x = p % ppm.width;
      const y = Math.floor(p / ppm.width);
      const allowed = CLASS_COLORS.map((c, i) => `(${c.join(',')}) ${CLASS_NAMES[i]}`).join(', ');
      throw dataError(file, undefined, `pixel (x=${x}, y=${y}) has colour (${r},${g},${b}); a label image may only hold ${allowed}`);
    }
  }
  return out;
}

/** Decompresses `.gz` files (a truncated or corrupt stream is an error naming the file). */
export async function readMaybeGzip(file: string): Promise<Buffer> {
  const raw = await readFile(file);
  if (!file.endsWith('.gz')) return raw;
  try {
    return await gunzipAsync(raw);
  } catch (e) {
    throw dataError(file, undefined, `corrupt or truncated gzip data (${(e as Error).message})`);
  }
}

/** Reads a 250×250 label image (`.ppm` or `.ppm.gz`) into class indices. */
export async function readLabelMap(file: string, size = FULL_SIZE): Promise<Uint8Array> {
  const ppm = parsePpm(await readMaybeGzip(file), file);
  if (ppm.width !== size || ppm.height !== size) {
    throw dataError(file, undefined, `label image is ${ppm.width}×${ppm.height}, expected ${size}×${size}`);
  }
  return labelColoursToClasses(ppm, file);
}
