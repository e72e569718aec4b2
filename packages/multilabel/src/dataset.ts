import { existsSync } from 'node:fs';
import path from 'node:path';
import { AlenError, Rng } from '@alen/core';
import type { Dataset, ExpectedFile, LoadContext, TaskData } from '@alen/core';
import { readArff, type ArffData } from './arff.js';
import { readLabelsXml } from './labels-xml.js';
import { applyStandardization, standardizationOf, type Standardization } from './standardize.js';

/** A MULAN multi-label dataset: where its files live under the data directory and its shape. */
export interface MultilabelSpec {
  /** Task name and folder under the data directory (`bibtex`). */
  readonly name: string;
  readonly nFeatures: number;
  readonly nLabels: number;
  /** Paths relative to the data directory. */
  readonly trainFile: string;
  readonly testFile: string;
  readonly labelsFile: string;
  /** Where the data comes from, shown when files are missing. */
  readonly sourceHint: string;
}

export const BIBTEX: MultilabelSpec = {
  name: 'bibtex',
  nFeatures: 1836,
  nLabels: 159,
  trainFile: 'bibtex/bibtex-train.arff',
  testFile: 'bibtex/bibtex-test.arff',
  labelsFile: 'bibtex/bibtex.xml',
  sourceHint: 'MULAN Bibtex (4880 train / 2515 test rows), e.g. from tsoumakas/mulan data/multi-label/bibtex',
};

export const BOOKMARKS: MultilabelSpec = {
  name: 'bookmarks',
  nFeatures: 2150,
  nLabels: 208,
  trainFile: 'bookmarks/bookmarks-train.arff',
  testFile: 'bookmarks/bookmarks-test.arff',
  labelsFile: 'bookmarks/bookmarks.xml',
  sourceHint:
    'MULAN-format sparse ARFF of the SPEN/DVN split (60000 train / 27856 test rows, 2150 features then the 208 labels of bookmarks.xml)',
};

/** Fraction of the training file held out for validation (DVN's 5 %). */
export const VAL_FRACTION = 0.05;

export function expectedFiles(spec: MultilabelSpec): ExpectedFile[] {
  return [
    { path: spec.trainFile, description: `${spec.name} training rows (MULAN ARFF)` },
    { path: spec.testFile, description: `${spec.name} test rows (MULAN ARFF)` },
    { path: spec.labelsFile, description: `${spec.name} label names (MULAN XML)` },
  ];
}

/** Throws MISSING_DATA listing every expected file, where it was looked for, and where to put the missing ones. */
export function checkFiles(spec: MultilabelSpec, dataDir: string): void {
  const files = expectedFiles(spec).map((f) => ({ ...f, abs: path.resolve(dataDir, f.path) }));
  const missing = files.filter((f) => !existsSync(f.abs));
  if (missing.length === 0) return;
  const lines = files.map((f) => `  ${existsSync(f.abs) ? 'found  ' : 'MISSING'} ${f.abs}  (${f.description})`);
  const dirs = [...new Set(missing.map((f) => path.dirname(f.abs)))];
  const put = dirs
    .map((d) => `put ${missing.filter((f) => path.dirname(f.abs) === d).map((f) => path.basename(f.abs)).join(' and ')} in ${d}${path.sep}`)
    .join('; ');
  throw new AlenError(
    'MISSING_DATA',
    `${spec.name}: ${missing.length} of ${files.length} data files missing under ${path.resolve(dataDir)}:\n${lines.join('\n')}\n` +
      `To fix: ${put} (${spec.sourceHint}), or point --data / ALEN_DATA at a directory that has them.`,
  );
}

/**
 * The seeded order of the training file's rows: the first 95 % train, the rest validate.
 * Built with core's Rng (a Fisher-Yates shuffle on seedrandom's alea), so it is NOT numpy's
 * `np.random.seed(s); np.random.permutation(n)` used by the DVN reference: same sizes, other rows.
 */
export function validationSplit(n: number, seed: number): { order: Int32Array; nTrain: number } {
  const order = new Rng(`multilabel-validation-split/${seed}`).permutation(n);
  return { order, nTrain: Math.floor(n * (1 - VAL_FRACTION)) };
}

/** Reorders the rows of a row-major matrix in place: new row i = old row order[i] (cycle following). */
export function permuteRows(a: Float32Array, rowLen: number, order: Int32Array): void {
  const done = new Uint8Array(order.length);
  const tmp = new Float32Array(rowLen);
  for (let start = 0; start < order.length; start++) {
    if (done[start] || order[start] === start) continue;
    tmp.set(a.subarray(start * rowLen, (start + 1) * rowLen));
    let j = start;
    for (;;) {
      done[j] = 1;
      const k = order[j]!;
      if (k === start) {
        a.set(tmp, j * rowLen);
        break;
      }
      a.copyWithin(j * rowLen, k * rowLen, (k + 1) * rowLen);
      j = k;
    }
  }
}

function rowIds(rows: Int32Array | number[]): string[] {
  return Array.from(rows, (r) => String(r));
}

interface SplitParts {
  name: string;
  x: Float32Array;
  y: Float32Array;
  ids: string[];
  meta: Record<string, unknown>;
}

function makeDataset(p: SplitParts, F: number, L: number, limit: number | undefined): Dataset {
  let size = p.ids.length;
  let { x, y, ids } = p;
  if (limit !== undefined && limit < size) {
    size = Math.max(0, Math.floor(limit));
    // slice (not subarray) so a small run does not keep the full matrix alive
    x = x.slice(0, size * F);
    y = y.slice(0, size * L);
    ids = ids.slice(0, size);
  }
  return { name: p.name, size, x, xShape: [F], y, yShape: [L], ids, meta: p.meta };
}

function checkShape(spec: MultilabelSpec, d: ArffData): void {
  if (d.nFeatures !== spec.nFeatures) {
    throw new AlenError(
      'SHAPE_MISMATCH',
      `${d.file}: ${d.nFeatures} feature attributes, but ${spec.name} has ${spec.nFeatures} (plus ${spec.nLabels} labels)`,
    );
  }
  if (d.n === 0) throw new AlenError('BAD_DATA', `${d.file}: no data rows after @data`);
}

function checkSameFeatures(a: ArffData, b: ArffData): void {
  for (let i = 0; i < a.featureNames.length; i++) {
    if (a.featureNames[i] !== b.featureNames[i]) {
      throw new AlenError(
        'SHAPE_MISMATCH',
        `${b.file}: feature ${i} is '${b.featureNames[i]}' but in ${a.file} it is '${a.featureNames[i]}': the two files' headers differ`,
      );
    }
  }
}

/** What `load` stores in `Dataset.meta` of the train split (and what `readInput` needs back). */
export interface MultilabelTrainMeta {
  readonly source: string;
  readonly labelNames: readonly string[];
  readonly featureNames: readonly string[];
  /** Statistics of the whole training file (before the validation hold-out); independent of the seed. */
  readonly standardization: Standardization;
}

/**
 * Loads train/val/test of a MULAN dataset: features z-scored with the statistics of the whole
 * training file (as DVN: before the hold-out), 5 % of the training file held out for
 * validation by a seeded permutation ({@link validationSplit}), `limit` applied after the split.
 * `ids` are 0-based row numbers within each file's @data section. Nothing is cached on disk.
 */
export async function loadMultilabel(spec: MultilabelSpec, ctx: LoadContext): Promise<TaskData> {
  checkFiles(spec, ctx.dataDir);
  const abs = (p: string): string => path.resolve(ctx.dataDir, p);
  const log = ctx.log ?? (() => {});
  const labelsFile = abs(spec.labelsFile);
  const labelNames = readLabelsXml(labelsFile);
  if (labelNames.length !== spec.nLabels) {
    throw new AlenError('SHAPE_MISMATCH', `${labelsFile}: ${labelNames.length} labels, but ${spec.name} has ${spec.nLabels}`);
  }
  const opts = { labels: labelNames, labelsSource: labelsFile };
  const t0 = Date.now();
  const train = readArff(abs(spec.trainFile), opts);
  checkShape(spec, train);
  const test = readArff(abs(spec.testFile), opts);
  checkShape(spec, test);
  checkSameFeatures(train, test);
  log(`${spec.name}: read ${train.n} train and ${test.n} test rows in ${Date.now() - t0} ms`);

  const F = spec.nFeatures;
  const L = spec.nLabels;
  const standardization = standardizationOf(train.features, train.n, F);
  applyStandardization(train.features, F, standardization);
  applyStandardization(test.features, F, standardization);

  const { order, nTrain } = validationSplit(train.n, ctx.seed);
  permuteRows(train.features, F, order);
  permuteRows(train.labels, L, order);
  const trainMeta: MultilabelTrainMeta = {
    source: train.file,
    labelNames,
    featureNames: train.featureNames,
    standardization,
  };
  const lim = ctx.limit ?? {};
  return {
    train: makeDataset(
      {
        name: `${spec.name}/train`,
        // a view on the first rows of the file's matrix (offset 0): no copy of the largest array
        x: train.features.subarray(0, nTrain * F),
        y: train.labels.subarray(0, nTrain * L),
        ids: rowIds(order.subarray(0, nTrain)),
        // taskState is saved with checkpoints and handed back to readInput/writeOutput at predict time
        meta: { ...trainMeta, taskState: { ...trainMeta } },
      },
      F, L, lim.train,
    ),
    val: makeDataset(
      {
        name: `${spec.name}/val`,
        x: train.features.slice(nTrain * F),
        y: train.labels.slice(nTrain * L),
        ids: rowIds(order.subarray(nTrain)),
        meta: { source: train.file, labelNames },
      },
      F, L, lim.val,
    ),
    test: makeDataset(
      {
        name: `${spec.name}/test`,
        x: test.features,
        y: test.labels,
        ids: rowIds(Array.from({ length: test.n }, (_, i) => i)),
        meta: { source: test.file, labelNames },
      },
      F, L, lim.test,
    ),
  };
}
