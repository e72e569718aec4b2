import type { Dataset, Split, TaskData } from '@alen/core';
import { AlenError } from '@alen/core';
import type { SplitEntries, SplitEntry } from './split-file.js';
import { horseId } from './paths.js';

/** One decoded example: `size × size` RGB bytes (row-major, [y][x][rgb]) and a {0,1} mask ([y][x]). */
export interface HorseRecord {
  readonly rgb: Uint8Array;
  readonly mask: Uint8Array;
}

export type Limit = Partial<Record<Split, number>>;

/** Keeps the first `limit[split]` entries of each split (`LoadContext.limit`). */
export function applyLimit(entries: SplitEntries, limit: Limit | undefined): SplitEntries {
  if (!limit) return entries;
  const out = { ...entries };
  for (const sp of ['train', 'val', 'test'] as const) {
    const n = limit[sp];
    if (n === undefined) continue;
    if (!Number.isInteger(n) || n < 0) throw new AlenError('BAD_CONFIG', `limit for ${sp} must be a non-negative integer, got ${String(n)}`);
    out[sp] = entries[sp].slice(0, n);
  }
  return out;
}

/**
 * A core `Dataset` of `size × size` examples: x = RGB / 255 in [0, 1] (no mean subtraction),
 * shape [size, size, 3]; y = the {0,1} mask as float, shape [size, size, 1]; ids `horseNNN`.
 */
export function buildDataset(
  name: string,
  entries: readonly SplitEntry[],
  size: number,
  record: (horse: number) => HorseRecord,
  meta: Record<string, unknown>,
): Dataset {
  const px = size * size;
  const x = new Float32Array(entries.length * px * 3);
  const y = new Float32Array(entries.length * px);
  entries.forEach((e, i) => {
    const r = record(e.horse);
    for (let j = 0; j < px * 3; j++) x[i * px * 3 + j] = r.rgb[j]! / 255;
    for (let j = 0; j < px; j++) y[i * px + j] = r.mask[j]!;
  });
  return {
    name,
    size: entries.length,
    x,
    xShape: [size, size, 3],
    y,
    yShape: [size, size, 1],
    ids: entries.map((e) => horseId(e.horse)),
    meta: { ...meta, size, horses: entries.map((e) => e.horse), taskState: { size } },
  };
}

export function buildTaskData(
  entries: SplitEntries,
  size: number,
  record: (horse: number) => HorseRecord,
  meta: Record<string, unknown>,
): TaskData {
  return {
    train: buildDataset('weizmann/train', entries.train, size, record, meta),
    val: buildDataset('weizmann/val', entries.val, size, record, meta),
    test: buildDataset('weizmann/test', entries.test, size, record, meta),
  };
}
