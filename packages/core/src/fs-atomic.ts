import * as fs from 'node:fs';
import * as path from 'node:path';

/** Writes a file through a temporary sibling and a rename, so readers never see half a file. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/**
 * Fills a folder through a temporary sibling, then swaps it in: an interrupted write leaves
 * the previous folder intact (or, between the two renames, recoverable from `<dir>.old`).
 */
export async function writeDirAtomic(dir: string, fill: (tmpDir: string) => Promise<void>): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}`;
  const old = `${dir}.old`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  try {
    await fill(tmp);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  fs.rmSync(old, { recursive: true, force: true });
  if (fs.existsSync(dir)) fs.renameSync(dir, old);
  fs.renameSync(tmp, dir);
  fs.rmSync(old, { recursive: true, force: true });
}

/** A folder written by {@link writeDirAtomic}, or its previous version if a swap was cut off. */
export function resolveAtomicDir(dir: string): string {
  if (fs.existsSync(dir)) return dir;
  if (fs.existsSync(`${dir}.old`)) return `${dir}.old`;
  return dir;
}
