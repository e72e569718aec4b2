import sharp, { type Metadata } from 'sharp';
import { dataError } from '@alen/core';

export interface RawImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

function decodeError(file: string, e: unknown) {
  return dataError(file, undefined, `cannot decode image: ${(e as Error).message.split('\n')[0]}`);
}

/** Width and height from the file header; a file sharp cannot read is a BAD_DATA error naming it. */
export async function imageSize(file: string): Promise<{ width: number; height: number }> {
  let m: Metadata;
  try {
    m = await sharp(file).metadata();
  } catch (e) {
    throw decodeError(file, e);
  }
  if (!m.width || !m.height) throw dataError(file, undefined, 'image has no width/height');
  return { width: m.width, height: m.height };
}

/**
 * Decodes an image file (or raw pixels) into `channels` (1 = grey, 3 = sRGB) of `width × height`
 * bytes, resized with sharp's default kernel (Lanczos 3), aspect ratio not kept (`fit: 'fill'`).
 * Truncated or corrupt files are errors (sharp's default `failOn: 'warning'`).
 */
export async function decodeResized(
  input: string | RawImage,
  width: number,
  height: number,
  channels: 1 | 3,
  label = typeof input === 'string' ? input : 'image',
): Promise<RawImage> {
  try {
    const img =
      typeof input === 'string'
        ? sharp(input)
        : sharp(input.data, { raw: { width: input.width, height: input.height, channels: input.channels as 1 | 3 } });
    const pipeline = img.removeAlpha().toColourspace(channels === 1 ? 'b-w' : 'srgb').resize(width, height, { fit: 'fill' });
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    if (info.width !== width || info.height !== height) {
      throw new Error(`resized to ${info.width}×${info.height} instead of ${width}×${height}`);
    }
    const out = new Uint8Array(width * height * channels);
    // Take the first `channels` channels of whatever sharp returned (grey JPEGs may come back with 1).
    for (let p = 0; p < width * height; p++) {
      for (let c = 0; c < channels; c++) out[p * channels + c] = data[p * info.channels + Math.min(c, info.channels - 1)]!;
    }
    return { data: out, width, height, channels };
  } catch (e) {
    throw decodeError(label, e);
  }
}
