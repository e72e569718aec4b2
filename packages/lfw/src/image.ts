import sharp, { type OutputInfo } from 'sharp';
import { AlenError, dataError } from '@alen/core';
import { areaResize } from './area-resize.js';

export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** Row-major RGB bytes. */
  readonly data: Uint8Array;
}

/**
 * Decodes an image file (JPEG, PNG, ... anything sharp reads) to 8-bit sRGB without alpha.
 * Grey images are expanded to 3 channels. Errors name the file.
 */
export async function decodeRgb(file: string): Promise<RgbImage> {
  let res: { data: Buffer; info: OutputInfo };
  try {
    res = await sharp(file).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  } catch (e) {
    const msg = (e as Error).message;
    if (/no such file|ENOENT|missing/i.test(msg)) throw new AlenError('MISSING_DATA', `${file}: image file not found`);
    throw dataError(file, undefined, `cannot decode image (${msg})`);
  }
  const { width, height, channels } = res.info;
  if (channels === 3) return { width, height, data: res.data };
  if (channels === 1) {
    const rgb = new Uint8Array(width * height * 3);
    for (let p = 0; p < width * height; p++) rgb[3 * p] = rgb[3 * p + 1] = rgb[3 * p + 2] = res.data[p]!;
    return { width, height, data: rgb };
  }
  throw dataError(file, undefined, `decoded to ${channels} channels, expected RGB`);
}

/**
 * A network input: the image area-averaged (see area-resize.ts) to size × size, values in [0, 1],
 * layout [y][x][rgb]. Written into `out` at `offset` when given.
 */
export function toInput(img: RgbImage, size: number, out?: Float32Array, offset = 0): Float32Array {
  return areaResize(img.data, img.height, img.width, 3, size, size, 1 / 255, out, offset);
}
