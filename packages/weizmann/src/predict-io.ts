import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { AlenError, listImageFiles } from '@alen/core';
import { decodeResized } from './decode-image.js';

/**
 * Reads one image file, or every image file of a folder (core's {@link listImageFiles}), resized to
 * `size × size` RGB (Lanczos 3, aspect ratio not kept) and scaled to [0, 1] as the training data.
 * Ids are the file names without extension.
 */
export async function readImages(file: string, size = 32): Promise<{ x: Float32Array; n: number; ids: string[] }> {
  const files = listImageFiles(file);
  const px = size * size * 3;
  const x = new Float32Array(files.length * px);
  for (let i = 0; i < files.length; i++) {
    const img = await decodeResized(files[i]!, size, size, 3);
    for (let j = 0; j < px; j++) x[i * px + j] = img.data[j]! / 255;
  }
  return { x, n: files.length, ids: files.map((f) => path.basename(f, path.extname(f))) };
}

async function writeOne(pngPath: string, soft: Float32Array, size: number, id: string): Promise<void> {
  const hard = Buffer.alloc(size * size);
  for (let i = 0; i < hard.length; i++) hard[i] = soft[i]! >= 0.5 ? 255 : 0;
  await sharp(hard, { raw: { width: size, height: size, channels: 1 } }).png().toFile(pngPath);
  const rows: number[][] = [];
  for (let r = 0; r < size; r++) rows.push(Array.from(soft.subarray(r * size, (r + 1) * size), (v) => Math.round(v * 1e4) / 1e4));
  const json = { id, width: size, height: size, threshold: 0.5, softMask: rows };
  fs.writeFileSync(pngPath.replace(/\.png$/i, '') + '.json', JSON.stringify(json) + '\n');
}

/**
 * Writes soft masks (`n × size × size`): a PNG per image (white = horse, threshold 0.5) and the soft
 * mask as JSON beside it. With one image and a `file` ending in `.png` (not an existing folder) the
 * PNG goes to `file` and the JSON next to it; otherwise `file` is a folder (`<id>.png` + `<id>.json` each). Ids that repeat (horse.jpg and horse.png) get `_<index>` after the first.
 */
export async function writeMasks(file: string, pred: Float32Array, n: number, ids?: readonly string[], size = 32): Promise<void> {
  const px = size * size;
  if (pred.length !== n * px) {
    throw new AlenError('SHAPE_MISMATCH', `writeOutput ${file}: got ${pred.length} values for ${n} masks of ${size}×${size}`);
  }
  // As LFW's: one image and a name ending in .png is a file; anything else a folder.
  const asFolder = n > 1 || !/\.png$/i.test(file) || (fs.existsSync(file) && fs.statSync(file).isDirectory());
  if (!asFolder) {
    const png = file;
    fs.mkdirSync(path.dirname(path.resolve(png)), { recursive: true });
    await writeOne(png, pred.subarray(0, px), size, ids?.[0] ?? path.basename(png, '.png'));
    return;
  }
  fs.mkdirSync(file, { recursive: true });
  // Inputs that differ only in extension (horse.jpg, horse.png) share an id: later ones get `_<index>`.
  const used = new Set<string>();
  for (let i = 0; i < n; i++) {
    let id = path.basename(ids?.[i] ?? `image${String(i).padStart(4, '0')}`);
    if (used.has(id)) id = `${id}_${i}`;
    used.add(id);
    await writeOne(path.join(file, `${id}.png`), pred.subarray(i * px, (i + 1) * px), size, id);
  }
}
