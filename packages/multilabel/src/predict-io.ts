import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { AlenError, writeFileAtomic } from '@alen/core';
import { readArff } from './arff.js';
import { readLabelsXml } from './labels-xml.js';
import { applyStandardization, standardizationOf, type Standardization } from './standardize.js';
import type { MultilabelSpec } from './dataset.js';

/**
 * What `alen predict` can hand to the task's `readInput` / `writeOutput` (an optional extra
 * argument after core's own ones). `trainMeta` is the `meta` of the train split the model was
 * trained on, saved with the checkpoint: it holds the standardization statistics and the label
 * and feature names. Without it, the statistics are recomputed from `<dataDir>/<train ARFF>`
 * (they depend only on that file, not on the seed) and the names read from the label XML.
 */
export interface PredictContext {
  readonly trainMeta?: Readonly<Record<string, unknown>>;
  readonly dataDir?: string;
  /** Decision threshold of `writeOutput` (default 0.5; e.g. the best threshold on validation). */
  readonly threshold?: number;
}

function isNumberArray(v: unknown, n: number): v is number[] {
  return Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'number');
}

function metaStandardization(spec: MultilabelSpec, meta: PredictContext['trainMeta']): Standardization | null {
  const st = meta?.standardization as Partial<Standardization> | undefined;
  if (!st) return null;
  if (!isNumberArray(st.mean, spec.nFeatures) || !isNumberArray(st.scale, spec.nFeatures)) {
    throw new AlenError('BAD_CHECKPOINT', `${spec.name}: the saved standardization must have mean and scale arrays of ${spec.nFeatures} numbers`);
  }
  return { mean: st.mean, scale: st.scale };
}

function metaStrings(meta: PredictContext['trainMeta'], key: string, n: number): string[] | null {
  const v = meta?.[key];
  return Array.isArray(v) && v.length === n && v.every((s) => typeof s === 'string') ? (v as string[]) : null;
}

/** Label names from the saved meta, else the data directory's label XML, else null. */
export function labelNamesFor(spec: MultilabelSpec, ctx: PredictContext = {}): string[] | null {
  const fromMeta = metaStrings(ctx.trainMeta, 'labelNames', spec.nLabels);
  if (fromMeta) return fromMeta;
  if (ctx.dataDir) {
    const xml = path.resolve(ctx.dataDir, spec.labelsFile);
    if (existsSync(xml)) return readLabelsXml(xml);
  }
  return null;
}

/**
 * Reads an ARFF file of inputs for prediction (same format as the dataset; label attributes
 * may be absent or present and are ignored) and standardizes it with the training statistics.
 * `ids` are 0-based row numbers.
 */
export async function readPredictInput(
  spec: MultilabelSpec,
  file: string,
  ctx: PredictContext = {},
): Promise<{ x: Float32Array; n: number; ids: string[] }> {
  let st = metaStandardization(spec, ctx.trainMeta);
  const labelNames = labelNamesFor(spec, ctx);
  if (!st && !ctx.dataDir) {
    throw new AlenError(
      'BAD_CONFIG',
      `${spec.name}: reading ${file} needs the training standardization: pass { trainMeta } (the train split's meta saved with the model) or { dataDir }`,
    );
  }
  if (!labelNames) {
    throw new AlenError('MISSING_DATA', `${spec.name}: no label names (neither in the saved meta nor at ${path.resolve(ctx.dataDir!, spec.labelsFile)})`);
  }
  const input = readArff(file, { labels: labelNames, labelsOptional: true });
  if (input.nFeatures !== spec.nFeatures) {
    throw new AlenError(
      'SHAPE_MISMATCH',
      `${file}: ${input.nFeatures} feature attributes (after removing ${input.nLabels} labels), but the ${spec.name} model expects ${spec.nFeatures}`,
    );
  }
  const trainFeatures = metaStrings(ctx.trainMeta, 'featureNames', spec.nFeatures);
  if (trainFeatures) {
    const i = trainFeatures.findIndex((name, k) => name !== input.featureNames[k]);
    if (i >= 0) {
      throw new AlenError('SHAPE_MISMATCH', `${file}: feature ${i} is '${input.featureNames[i]}' but the model was trained with '${trainFeatures[i]}' there`);
    }
  }
  if (!st) {
    const trainFile = path.resolve(ctx.dataDir!, spec.trainFile);
    const train = readArff(trainFile, { labels: labelNames });
    st = standardizationOf(train.features, train.n, train.nFeatures);
  }
  applyStandardization(input.features, spec.nFeatures, st);
  return { x: input.features, n: input.n, ids: Array.from({ length: input.n }, (_, i) => String(i)) };
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** `out.csv` → `out.json`; any other name gets `.json` appended. */
export function scoresFileFor(file: string): string {
  return file.toLowerCase().endsWith('.csv') ? `${file.slice(0, -4)}.json` : `${file}.json`;
}

/**
 * Writes predictions: a CSV `id,labels` with one row per example and the predicted label names
 * (score ≥ threshold) separated by spaces, and next to it (see {@link scoresFileFor}) a JSON
 * `{ task, threshold, labels, ids, scores }` with every per-label score. Label names come from
 * the context, else are `label0, label1, ...`.
 */
export async function writePredictOutput(
  spec: MultilabelSpec,
  file: string,
  pred: Float32Array,
  n: number,
  ids?: readonly string[],
  ctx: PredictContext = {},
): Promise<void> {
  const L = spec.nLabels;
  if (pred.length !== n * L) {
    throw new AlenError('SHAPE_MISMATCH', `${spec.name}: ${pred.length} predicted values for ${n} examples × ${L} labels`);
  }
  if (ids && ids.length !== n) throw new AlenError('SHAPE_MISMATCH', `${spec.name}: ${ids.length} ids for ${n} examples`);
  const names = labelNamesFor(spec, ctx) ?? Array.from({ length: L }, (_, k) => `label${k}`);
  const threshold = ctx.threshold ?? 0.5;
  const idOf = (r: number): string => ids?.[r] ?? String(r);
  const rows = ['id,labels'];
  const scores: string[] = [];
  for (let r = 0; r < n; r++) {
    const row = pred.subarray(r * L, (r + 1) * L);
    const on: string[] = [];
    row.forEach((v, k) => v >= threshold && on.push(names[k]!));
    rows.push(`${csvField(idOf(r))},${csvField(on.join(' '))}`);
    scores.push(`[${Array.from(row, (v) => (Number.isFinite(v) ? +v.toPrecision(6) : null)).join(',')}]`);
  }
  if (/[\\/]$/.test(file) || (existsSync(file) && statSync(file).isDirectory())) {
    throw new AlenError('BAD_CONFIG', `${spec.name}: output ${file} is a folder; name a CSV file, e.g. ${path.join(file, 'labels.csv')} (the scores go beside it as JSON)`);
  }
  writeFileAtomic(file, rows.join('\n') + '\n');
  const head = JSON.stringify({ task: spec.name, threshold, labels: names, ids: Array.from({ length: n }, (_, r) => idOf(r)) });
  writeFileAtomic(scoresFileFor(file), `${head.slice(0, -1)},"scores":[\n${scores.join(',\n')}\n]}\n`);
}
