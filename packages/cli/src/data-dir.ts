import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DATA_ENV = 'ALEN_DATA';

function findSharedData(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    const candidate = path.join(dir, '..', 'shared', 'data');
    if (fs.existsSync(candidate) && fs.statSync(candidate).isDirectory()) return path.resolve(candidate);
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * The data directory: `--data`, else `ALEN_DATA`, else a `shared/data` folder beside the
 * repository (searched upward from the working directory, then from this package).
 */
export function resolveDataDir(flag?: string): { dir: string; source: string } {
  if (flag) return { dir: path.resolve(flag), source: '--data' };
  const env = process.env[DATA_ENV];
  if (env) return { dir: path.resolve(env), source: DATA_ENV };
  const found = findSharedData(process.cwd()) ?? findSharedData(path.dirname(fileURLToPath(import.meta.url)));
  if (found) return { dir: found, source: '../shared/data' };
  return { dir: path.resolve('data'), source: 'default ./data (no --data, ALEN_DATA or ../shared/data)' };
}
