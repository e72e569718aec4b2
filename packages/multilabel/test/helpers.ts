import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The shared data root (never copied into the repo). */
export const DATA_DIR = fileURLToPath(new URL('../../../../shared/data', import.meta.url));
export const BIBTEX_DIR = path.join(DATA_DIR, 'bibtex');

export function tempDir(prefix = 'alen-multilabel-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes `text` to a fresh temp file and returns its path. */
export function tempFile(name: string, text: string): string {
  const file = path.join(tempDir(), name);
  fs.writeFileSync(file, text);
  return file;
}
