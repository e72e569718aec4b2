/**
 * Loader of the LFW part-labels task: split lists → 32×32 inputs, 32×32 class proportions and the
 * 250×250 class maps, through an on-disk cache (cache.ts).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { AlenError, dataError, mapLimit, type Dataset, type LoadContext, type Split, type TaskData } from '@alen/core';
import { cacheRoot, CACHE_VERSION, encodeCache, readCacheFile, writeFileAtomic, type SplitArrays } from './cache.js';
import { classProportions } from './area-resize.js';
import {
  CLASS_NAMES, FULL_PIXELS, FULL_SIZE, IMAGE_DIR, LABEL_DIR, LFW_DIR, NUM_CLASSES, SIZE, SPLIT_FILES, SUPERPIXEL_LABEL_DIR,
  SUPERPIXEL_MAP_DIR, X_LEN, X_SHAPE, Y_LEN, Y_SHAPE,
} from './constants.js';
import { decodeRgb, toInput } from './image.js';
import { readLabelMap } from './label-map.js';
import type { LfwMeta } from './meta.js';
import { parseSplitList, type ListEntry } from './split-list.js';
import { hasSuperpixelDirs, SuperpixelSource } from './superpixels.js';

export const SPLITS: readonly Split[] = ['train', 'val', 'test'];

export interface LfwLoadOptions {
  /** Root data directory; the release is read from `<dataDir>/lfw`. */
  readonly dataDir: string;
  /** Keep only the first N examples of a split (only those are decoded). */
  readonly limit?: Partial<Record<Split, number>>;
  /** Cache folder; default `<$ALEN_CACHE_DIR or OS cache or tmp>/alen-cache/lfw-<hash of lists and file sizes>`. */
  readonly cacheDir?: string;
  /** 'on' (default): read and write; 'rebuild': ignore what is there and rewrite; 'off': no cache. */
  readonly cache?: 'on' | 'off' | 'rebuild';
  /** 'auto' (default): superpixel metric when the files exist; 'on': require them; 'off': never. */
  readonly superpixels?: 'auto' | 'on' | 'off';
  /** Images decoded at once (default 8). */
  readonly concurrency?: number;
  readonly log?: (message: string) => void;
}

interface Example extends ListEntry {
  readonly image: string;
  /** `.ppm.gz`, or the plain `.ppm` when only that exists (settled by statFiles). */
  label: string;
}

interface ListedSplit {
  readonly split: Split;
  readonly listFile: string;
  readonly examples: Example[];
}

/** Reads `key=value` options given with `--opt` (cacheDir, cache, superpixels, concurrency). */
export function optionsFromContext(ctx: LoadContext): LfwLoadOptions {
  const o = ctx.options ?? {};
  const pick = <T extends string>(key: string, allowed: readonly T[], def: T): T => {
    const v = o[key];
    if (v === undefined) return def;
    if (!(allowed as readonly string[]).includes(v)) {
      throw new AlenError('BAD_CONFIG', `lfw option ${key}=${v}: choose one of ${allowed.join(', ')}`);
    }
    return v as T;
  };
  let concurrency: number | undefined;
  if (o.concurrency !== undefined) {
    concurrency = Number(o.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new AlenError('BAD_CONFIG', `lfw option concurrency=${o.concurrency}: a positive integer`);
  }
  const known = new Set(['cacheDir', 'cache', 'superpixels', 'concurrency']);
  for (const k of Object.keys(o)) if (!known.has(k)) ctx.log?.(`lfw: ignoring unknown option '${k}' (known: ${[...known].join(', ')})`);
  return {
    dataDir: ctx.dataDir,
    limit: ctx.limit,
    cacheDir: o.cacheDir,
    cache: pick('cache', ['on', 'off', 'rebuild'] as const, 'on'),
    superpixels: pick('superpixels', ['auto', 'on', 'off'] as const, 'auto'),
    concurrency,
    log: ctx.log,
  };
}

/** Files the loader needs, relative to the data directory. */
export function requiredPaths(): string[] {
  return [
    ...SPLITS.map((s) => path.join(LFW_DIR, SPLIT_FILES[s as keyof typeof SPLIT_FILES])),
    path.join(LFW_DIR, IMAGE_DIR) + path.sep,
    path.join(LFW_DIR, LABEL_DIR) + path.sep,
  ];
}

function checkLayout(dataDir: string): void {
  const missing = requiredPaths().filter((p) => !existsSync(path.join(dataDir, p)));
  if (missing.length) {
    throw new AlenError(
      'MISSING_DATA',
      `LFW part-labels data not found under ${dataDir}. Missing: ${missing.map((p) => path.join(dataDir, p)).join(', ')}. ` +
        `Expected: ${requiredPaths().map((p) => path.join(dataDir, p)).join(', ')} ` +
        `(images lfw_funneled/Name/Name_NNNN.jpg, labels parts_lfw_funneled_gt_images/Name_NNNN.ppm[.gz]).`,
    );
  }
}

async function listSplits(lfwDir: string): Promise<{ lists: ListedSplit[]; listTexts: string[] }> {
  const lists: ListedSplit[] = [];
  const listTexts: string[] = [];
  const owner = new Map<string, string>();
  for (const split of SPLITS) {
    const listFile = path.join(lfwDir, SPLIT_FILES[split as keyof typeof SPLIT_FILES]);
    const text = await readFile(listFile, 'utf8');
    listTexts.push(text);
    const examples = parseSplitList(text, listFile).map((e) => {
      const other = owner.get(e.id);
      if (other) throw dataError(listFile, e.line, `${e.id} is also listed in ${other}`);
      owner.set(e.id, `${listFile}:${e.line}`);
      return { ...e, image: path.join(lfwDir, IMAGE_DIR, e.name, `${e.id}.jpg`), label: path.join(lfwDir, LABEL_DIR, `${e.id}.ppm.gz`) };
    });
    lists.push({ split, listFile, examples });
  }
  return { lists, listTexts };
}

/**
 * Stats every listed image and label (a `.ppm.gz` label may also be a plain `.ppm`): missing files
 * are an error naming the list line; the sizes go into the cache key.
 */
async function statFiles(lfwDir: string, lists: ListedSplit[], listTexts: string[], concurrency: number): Promise<string> {
  const all = lists.flatMap((l) => l.examples.map((e) => ({ e, listFile: l.listFile })));
  const missing: string[] = [];
  const sizes = await mapLimit(all, concurrency * 4, async ({ e, listFile }) => {
    const size = async (p: string) => (await stat(p).catch(() => null))?.size ?? -1;
    const img = await size(e.image);
    let lab = await size(e.label);
    if (lab < 0) {
      const plain = e.label.slice(0, -3);
      lab = await size(plain);
      if (lab >= 0) e.label = plain;
    }
    if (img < 0) missing.push(`${listFile}:${e.line}: ${e.id}: image ${e.image} not found`);
    if (lab < 0) missing.push(`${listFile}:${e.line}: ${e.id}: label ${e.label} (or .ppm) not found`);
    return `${path.relative(lfwDir, e.image)}:${img};${path.relative(lfwDir, e.label)}:${lab}`;
  });
  if (missing.length) {
    const shown = missing.slice(0, 10).join('\n  ');
    throw new AlenError('MISSING_DATA', `${missing.length} listed file(s) missing:\n  ${shown}${missing.length > 10 ? `\n  ... and ${missing.length - 10} more` : ''}`);
  }
  const h = createHash('sha256');
  h.update(`lfw-cache-v${CACHE_VERSION};size=${SIZE};full=${FULL_SIZE}\n`);
  lists.forEach((l, i) => h.update(`${l.split}\n${listTexts[i]}\n`));
  for (const s of sizes) h.update(s + '\n');
  return h.digest('hex');
}

async function decodeExamples(examples: Example[], from: number, x: Float32Array, maps: Uint8Array, concurrency: number, log?: (m: string) => void, what = ''): Promise<void> {
  const todo = examples.slice(from);
  let done = 0;
  const step = Math.max(100, Math.ceil(todo.length / 10));
  await mapLimit(todo, concurrency, async (e, k) => {
    const i = from + k;
    const [img, map] = await Promise.all([decodeRgb(e.image), readLabelMap(e.label)]);
    if (img.width !== FULL_SIZE || img.height !== FULL_SIZE) {
      throw dataError(e.image, undefined, `image is ${img.width}×${img.height}, expected ${FULL_SIZE}×${FULL_SIZE}`);
    }
    toInput(img, SIZE, x, i * X_LEN);
    maps.set(map, i * FULL_PIXELS);
    if (++done % step === 0 && done < todo.length) log?.(`lfw: ${what} decoded ${done}/${todo.length}`);
  });
}

async function loadSplit(l: ListedSplit, n: number, key: string, cacheDir: string | null, opts: LfwLoadOptions, concurrency: number): Promise<SplitArrays> {
  const t0 = Date.now();
  const examples = l.examples.slice(0, n);
  const ids = examples.map((e) => e.id);
  const file = cacheDir ? path.join(cacheDir, `${l.split}.bin`) : null;
  let cached: SplitArrays | null = null;
  if (file && opts.cache !== 'rebuild') {
    const r = await readCacheFile(file, key, l.split, l.examples.map((e) => e.id));
    if (r && !r.ok) opts.log?.(`lfw: ignoring cache ${file}: ${r.reason}`);
    if (r?.ok) cached = r.data;
  }
  const have = cached ? Math.min(cached.ids.length, n) : 0;
  if (cached && have === n) {
    opts.log?.(`lfw/${l.split}: ${n} examples from cache in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return { ids, x: cached.x.slice(0, n * X_LEN), maps: cached.maps.slice(0, n * FULL_PIXELS) };
  }
  const x = new Float32Array(n * X_LEN);
  const maps = new Uint8Array(n * FULL_PIXELS);
  if (cached && have > 0) {
    x.set(cached.x.subarray(0, have * X_LEN));
    maps.set(cached.maps.subarray(0, have * FULL_PIXELS));
  }
  opts.log?.(`lfw/${l.split}: decoding ${n - have} images${have ? ` (${have} from cache)` : ''}`);
  await decodeExamples(examples, have, x, maps, concurrency, opts.log, `${l.split}:`);
  const data = { ids, x, maps };
  if (file) {
    try {
      await writeFileAtomic(file, encodeCache(key, l.split, data));
    } catch (e) {
      opts.log?.(`lfw: could not write cache ${file}: ${(e as Error).message}`);
    }
  }
  opts.log?.(`lfw/${l.split}: ${n} examples ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return data;
}

function toDataset(split: Split, d: SplitArrays, superpixels: SuperpixelSource | undefined): Dataset {
  const n = d.ids.length;
  const y = new Float32Array(n * Y_LEN);
  for (let i = 0; i < n; i++) {
    classProportions(d.maps.subarray(i * FULL_PIXELS, (i + 1) * FULL_PIXELS), FULL_SIZE, FULL_SIZE, NUM_CLASSES, SIZE, SIZE, y, i * Y_LEN);
  }
  const meta: LfwMeta & Record<string, unknown> = { classMaps: d.maps, fullSize: FULL_SIZE, classNames: CLASS_NAMES, ...(superpixels ? { superpixels } : {}) };
  return { name: `lfw/${split}`, size: n, x: d.x, xShape: X_SHAPE, y, yShape: Y_SHAPE, ids: d.ids, meta };
}

/** Loads the three splits (see {@link LfwLoadOptions}). */
export async function loadLfw(opts: LfwLoadOptions): Promise<TaskData> {
  checkLayout(opts.dataDir);
  const lfwDir = path.join(opts.dataDir, LFW_DIR);
  const concurrency = opts.concurrency ?? 8;
  const { lists, listTexts } = await listSplits(lfwDir);
  const key = await statFiles(lfwDir, lists, listTexts, concurrency);
  let cacheDir: string | null = null;
  if (opts.cache !== 'off') cacheDir = opts.cacheDir ?? path.join(cacheRoot(), `lfw-${key.slice(0, 16)}`);

  const spMode = opts.superpixels ?? 'auto';
  const useSp = spMode === 'on' || (spMode === 'auto' && hasSuperpixelDirs(lfwDir));
  if (spMode === 'on' && !hasSuperpixelDirs(lfwDir)) {
    throw new AlenError(
      'MISSING_DATA',
      `superpixels=on but ${path.join(lfwDir, SUPERPIXEL_MAP_DIR)}/ and ${path.join(lfwDir, SUPERPIXEL_LABEL_DIR)}/ ` +
        '(Name/Name_NNNN.dat each) are not both there',
    );
  }
  if (useSp) opts.log?.('lfw: superpixel files found; reporting superpixelAcc');

  const out: Partial<Record<Split, Dataset>> = {};
  for (const l of lists) {
    const lim = opts.limit?.[l.split];
    const n = lim === undefined ? l.examples.length : Math.max(0, Math.min(Math.floor(lim), l.examples.length));
    const arrays = await loadSplit(l, n, key, cacheDir, opts, concurrency);
    let sp: SuperpixelSource | undefined;
    if (useSp) {
      sp = new SuperpixelSource(lfwDir, arrays.ids);
      const missing = sp.missing();
      if (missing.length) {
        throw new AlenError('MISSING_DATA', `${missing.length} superpixel file(s) missing for ${l.split}, e.g. ${missing.slice(0, 5).join(', ')}`);
      }
    }
    out[l.split] = toDataset(l.split, arrays, sp);
  }
  return out as TaskData;
}
