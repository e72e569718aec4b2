import fs from 'node:fs';
import path from 'node:path';
import { AlenError } from '@alen/core';

/**
 * Throws MISSING_DATA when any of `relPaths` (relative to `dataDir`) does not exist, listing every
 * expected path and which ones are missing.
 */
export function assertFilesExist(dataDir: string, relPaths: readonly string[], what: string): void {
  const full = relPaths.map((p) => path.join(dataDir, p));
  const missing = full.filter((p) => !fs.existsSync(p));
  if (missing.length === 0) return;
  throw new AlenError(
    'MISSING_DATA',
    `${what}: missing ${missing.join(', ')}. Expected these paths under the data directory ${dataDir}:\n` +
      full.map((p) => `  ${p}${missing.includes(p) ? '  (missing)' : ''}`).join('\n') +
      `\n(set --data or ALEN_DATA to the folder that holds horses/)`,
  );
}
