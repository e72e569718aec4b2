import fs from 'node:fs';
import path from 'node:path';
import { AlenError } from '../errors.js';

/** Image file extensions `alen predict` accepts by default (lower case, with the dot). */
export const IMAGE_EXTENSIONS: readonly string[] = ['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff'];

/**
 * The images to read for `fileOrDir`: the file itself, or the files of a folder whose extension
 * (case-insensitive) is in `extensions`, sorted by name. Only lists paths; decoding is the caller's.
 * Throws MISSING_DATA when the path does not exist or the folder holds no such file.
 */
export function listImageFiles(fileOrDir: string, extensions: readonly string[] = IMAGE_EXTENSIONS): string[] {
  if (!fs.existsSync(fileOrDir)) {
    throw new AlenError('MISSING_DATA', `${fileOrDir}: input not found (give an image file or a folder of images)`);
  }
  if (!fs.statSync(fileOrDir).isDirectory()) return [fileOrDir];
  const wanted = new Set(extensions.map((e) => e.toLowerCase()));
  const files = fs
    .readdirSync(fileOrDir, { withFileTypes: true })
    .filter((d) => !d.isDirectory() && wanted.has(path.extname(d.name).toLowerCase()))
    .map((d) => d.name)
    .sort()
    .map((name) => path.join(fileOrDir, name));
  if (files.length === 0) {
    throw new AlenError('MISSING_DATA', `${fileOrDir}: folder holds no images (${extensions.join(', ')})`);
  }
  return files;
}
