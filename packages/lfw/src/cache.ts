/**
 * On-disk cache of a decoded split: the 32×32 inputs (float32) and the 250×250 class maps (2 bits
 * per pixel). Targets are not stored: they are recomputed from the class maps, which is cheap.
 * Layout: magic `ALENLFW\0`, u32 version, u32 header length, a JSON header (key, split, shapes,
 * ids), zero padding to 4 bytes, then x (count·32·32·3 float32 LE), then the packed maps.
 * A cache may hold a prefix of the split (runs with a `limit`); a larger run extends it.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FULL_PIXELS, FULL_SIZE, NUM_CLASSES, SIZE, X_LEN } from './constants.js';

export const CACHE_VERSION = 1;
const MAGIC = Buffer.from('ALENLFW\0', 'latin1');
// 250·250 is a multiple of 4, so maps pack into whole bytes.
const PACKED_LEN = FULL_PIXELS / 4;

/** Environment variable naming the root under which `lfw-<hash>` cache folders are made. */
export const CACHE_ENV = 'ALEN_CACHE_DIR';

interface Header {
  version: number;
  key: string;
  split: string;
  count: number;
  size: number;
  fullSize: number;
  classes: number;
  ids: string[];
}

export interface SplitArrays {
  readonly ids: readonly string[];
  /** count · 32·32·3 inputs in [0, 1]. */
  readonly x: Float32Array;
  /** count · 250·250 class indices. */
  readonly maps: Uint8Array;
}

/** Root for caches: `$ALEN_CACHE_DIR`, else the OS user cache folder, else the temp folder. */
export function cacheRoot(): string {
  const env = process.env[CACHE_ENV];
  if (env) return env;
  const home = os.homedir();
  if (process.platform === 'win32' && process.env.LOCALAPPDATA) return path.join(process.env.LOCALAPPDATA, 'alen-cache');
  if (process.platform === 'darwin' && home) return path.join(home, 'Library', 'Caches', 'alen-cache');
  const xdg = process.env.XDG_CACHE_HOME || (home ? path.join(home, '.cache') : '');
  if (xdg) return path.join(xdg, 'alen-cache');
  return path.join(os.tmpdir(), 'alen-cache');
}

export function packMap(map: Uint8Array, out: Uint8Array, offset: number): void {
  for (let i = 0; i < PACKED_LEN; i++) {
    const p = 4 * i;
    out[offset + i] = (map[p] ?? 0) | ((map[p + 1] ?? 0) << 2) | ((map[p + 2] ?? 0) << 4) | ((map[p + 3] ?? 0) << 6);
  }
}

/** Bytes whose four 2-bit fields are all valid class indices (0..2). */
const VALID_BYTE = Uint8Array.from({ length: 256 }, (_, b) => ((b & 3) !== 3 && ((b >> 2) & 3) !== 3 && ((b >> 4) & 3) !== 3 && b >> 6 !== 3 ? 1 : 0));

/** Unpacks; returns false if a value is not a class index (a corrupt cache). */
export function unpackMap(src: Uint8Array, offset: number, out: Uint8Array, outOffset: number): boolean {
  let ok = 1;
  for (let i = 0; i < PACKED_LEN; i++) {
    const b = src[offset + i]!;
    ok &= VALID_BYTE[b]!;
    const o = outOffset + 4 * i;
    out[o] = b & 3;
    out[o + 1] = (b >> 2) & 3;
    out[o + 2] = (b >> 4) & 3;
    out[o + 3] = b >> 6;
  }
  return ok === 1;
}

export function encodeCache(key: string, split: string, data: SplitArrays): Buffer {
  const count = data.ids.length;
  const header: Header = { version: CACHE_VERSION, key, split, count, size: SIZE, fullSize: FULL_SIZE, classes: NUM_CLASSES, ids: [...data.ids] };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const headEnd = MAGIC.length + 8 + json.length;
  const pad = (4 - (headEnd % 4)) % 4;
  const xBytes = count * X_LEN * 4;
  const buf = Buffer.alloc(headEnd + pad + xBytes + count * PACKED_LEN);
  MAGIC.copy(buf, 0);
  buf.writeUInt32LE(CACHE_VERSION, MAGIC.length);
  buf.writeUInt32LE(json.length, MAGIC.length + 4);
  json.copy(buf, MAGIC.length + 8);
  const xStart = headEnd + pad;
  Buffer.from(data.x.buffer, data.x.byteOffset, xBytes).copy(buf, xStart);
  const packed = new Uint8Array(buf.buffer, buf.byteOffset + xStart + xBytes, count * PACKED_LEN);
  for (let i = 0; i < count; i++) packMap(data.maps.subarray(i * FULL_PIXELS, (i + 1) * FULL_PIXELS), packed, i * PACKED_LEN);
  return buf;
}

export type CacheRead = { ok: true; data: SplitArrays } | { ok: false; reason: string };

/**
 * Decodes a cache file and checks it against what the caller expects: same version, key (hash of
 * the file list and sizes), split, shapes, and ids equal to the first `count` ids of the list.
 */
export function decodeCache(buf: Buffer, key: string, split: string, listIds: readonly string[]): CacheRead {
  const bad = (reason: string): CacheRead => ({ ok: false, reason });
  if (buf.length < MAGIC.length + 8 || !buf.subarray(0, MAGIC.length).equals(MAGIC)) return bad('not an lfw cache file');
  const version = buf.readUInt32LE(MAGIC.length);
  if (version !== CACHE_VERSION) return bad(`cache version ${version}, expected ${CACHE_VERSION}`);
  const jsonLen = buf.readUInt32LE(MAGIC.length + 4);
  const headEnd = MAGIC.length + 8 + jsonLen;
  if (headEnd > buf.length) return bad('truncated header');
  let h: Header;
  try {
    h = JSON.parse(buf.subarray(MAGIC.length + 8, headEnd).toString('utf8')) as Header;
  } catch {
    return bad('unreadable header');
  }
  if (h.key !== key) return bad('stale (the file list or file sizes changed)');
  if (h.split !== split || h.size !== SIZE || h.fullSize !== FULL_SIZE || h.classes !== NUM_CLASSES) return bad('different split or shapes');
  if (!Array.isArray(h.ids) || h.count !== h.ids.length || h.count > listIds.length) return bad('bad example count');
  for (let i = 0; i < h.count; i++) if (h.ids[i] !== listIds[i]) return bad(`ids differ from the list at ${i}`);
  const count = h.count;
  const xStart = headEnd + ((4 - (headEnd % 4)) % 4);
  const xBytes = count * X_LEN * 4;
  if (buf.length !== xStart + xBytes + count * PACKED_LEN) return bad(`size ${buf.length} does not match ${count} examples`);
  const x = new Float32Array(count * X_LEN);
  new Uint8Array(x.buffer).set(buf.subarray(xStart, xStart + xBytes));
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (!(v >= 0 && v <= 1)) return bad(`input value ${v} out of [0, 1]`);
  }
  const maps = new Uint8Array(count * FULL_PIXELS);
  const packed = new Uint8Array(buf.buffer, buf.byteOffset + xStart + xBytes, count * PACKED_LEN);
  for (let i = 0; i < count; i++) {
    if (!unpackMap(packed, i * PACKED_LEN, maps, i * FULL_PIXELS)) return bad(`class map ${i} holds an invalid value`);
  }
  return { ok: true, data: { ids: h.ids, x, maps } };
}

export async function readCacheFile(file: string, key: string, split: string, listIds: readonly string[]): Promise<CacheRead | null> {
  if (!existsSync(file)) return null;
  try {
    return decodeCache(await readFile(file), key, split, listIds);
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}

/** Writes via a temporary file and a rename, so a reader never sees a half-written cache. */
export async function writeFileAtomic(file: string, buf: Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await writeFile(tmp, buf);
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
