import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The shared data folder (never copied into the repo). */
export const DATA_ROOT = fileURLToPath(new URL('../../../../shared/data', import.meta.url));

const made: string[] = [];

export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `alen-weizmann-${prefix}-`));
  made.push(dir);
  return dir;
}

/** Removes the folders made by {@link tempDir} (call from afterAll). */
export function removeTempDirs(): void {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}
