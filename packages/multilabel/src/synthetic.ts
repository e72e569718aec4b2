import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Rng } from '@alen/core';

/**
 * Synthetic multi-label data in MULAN's file format, for tests and for datasets that are not on
 * this machine (Bookmarks). Each label owns `triggersPerLabel` features and fires exactly when
 * one of them is on, so a model can learn it; other features are background noise.
 */
export interface SyntheticRule {
  readonly nFeatures: number;
  readonly nLabels: number;
  /** triggers[k]: the feature indices whose presence turns label k on. */
  readonly triggers: readonly (readonly number[])[];
}

/** Trigger features of every label: disjoint when nFeatures ≥ nLabels · triggersPerLabel, else shared round-robin. */
export function syntheticRule(nFeatures: number, nLabels: number, seed: number, triggersPerLabel = 2): SyntheticRule {
  const perm = new Rng(`synthetic-rule/${seed}`).permutation(nFeatures);
  const triggers = Array.from({ length: nLabels }, (_, k) =>
    Array.from({ length: triggersPerLabel }, (_, j) => perm[(k * triggersPerLabel + j) % nFeatures]!),
  );
  return { nFeatures, nLabels, triggers };
}

export interface SyntheticRowsOptions {
  readonly rows: number;
  readonly seed: number;
  /** Mean number of labels a row is built around (uniform on 1 .. 2·mean − 1). Default 2. */
  readonly labelsPerRow?: number;
  /** Mean number of noise features (never triggers) per row. Default 20. */
  readonly noisePerRow?: number;
}

/** Rows as sorted lists of "on" feature indices and their 0/1 label vectors. */
export function syntheticRows(rule: SyntheticRule, opts: SyntheticRowsOptions): { features: number[][]; labels: Uint8Array[] } {
  const rng = new Rng(`synthetic-rows/${opts.seed}`);
  const lambda = opts.labelsPerRow ?? 2;
  const noise = opts.noisePerRow ?? 20;
  const isTrigger = new Uint8Array(rule.nFeatures);
  const labelsOf: number[][] = Array.from({ length: rule.nFeatures }, () => []);
  rule.triggers.forEach((ts, k) => ts.forEach((f) => ((isTrigger[f] = 1), labelsOf[f]!.push(k))));
  const background = [...isTrigger.keys()].filter((f) => !isTrigger[f]);
  const features: number[][] = [];
  const labels: Uint8Array[] = [];
  for (let r = 0; r < opts.rows; r++) {
    const on = new Set<number>();
    const m = 1 + rng.int(Math.max(1, Math.round(2 * lambda - 1)));
    for (let i = 0; i < m; i++) {
      const ts = rule.triggers[rng.int(rule.nLabels)]!;
      on.add(ts[rng.int(ts.length)]!);
    }
    const c = background.length ? rng.int(Math.round(2 * noise) + 1) : 0;
    for (let i = 0; i < c; i++) on.add(background[rng.int(background.length)]!);
    const y = new Uint8Array(rule.nLabels);
    for (const f of on) for (const k of labelsOf[f]!) y[k] = 1;
    features.push([...on].sort((a, b) => a - b));
    labels.push(y);
  }
  return { features, labels };
}

export interface SyntheticArffOptions extends SyntheticRowsOptions {
  readonly format?: 'sparse' | 'dense';
  readonly relation?: string;
  readonly labelNames?: readonly string[];
}

export function syntheticLabelNames(nLabels: number): string[] {
  return Array.from({ length: nLabels }, (_, k) => `TAG_synthetic${k}`);
}

/** MULAN ARFF text: features `f0..` then the labels as trailing {0,1} attributes. */
export function syntheticArffText(rule: SyntheticRule, opts: SyntheticArffOptions): string {
  const names = opts.labelNames ?? syntheticLabelNames(rule.nLabels);
  const { features, labels } = syntheticRows(rule, opts);
  const F = rule.nFeatures;
  const out: string[] = [`@relation ${opts.relation ?? 'synthetic'}`, ''];
  for (let f = 0; f < F; f++) out.push(`@attribute f${f} {0,1}`);
  for (const name of names) out.push(`@attribute ${name} {0,1}`);
  out.push('', '@data');
  for (let r = 0; r < features.length; r++) {
    const y = labels[r]!;
    if (opts.format === 'dense') {
      const v = new Array<string>(F + rule.nLabels).fill('0');
      for (const f of features[r]!) v[f] = '1';
      y.forEach((b, k) => (v[F + k] = b ? '1' : '0'));
      out.push(v.join(','));
    } else {
      const idx = features[r]!.map((f) => `${f} 1`);
      y.forEach((b, k) => b && idx.push(`${F + k} 1`));
      out.push(`{${idx.join(',')}}`);
    }
  }
  return out.join('\n') + '\n';
}

/** MULAN label XML for the given names. */
export function labelsXmlText(names: readonly string[]): string {
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<labels xmlns="http://mulan.sourceforge.net/labels">',
    ...names.map((n) => `<label name="${esc(n)}"></label>`),
    '</labels>',
    '',
  ].join('\n');
}

export interface SyntheticDatasetOptions {
  /** Dataset (and folder) name: files `<dataDir>/<name>/<name>-train.arff`, `-test.arff`, `<name>.xml`. */
  readonly name: string;
  readonly nFeatures: number;
  readonly nLabels: number;
  readonly train: number;
  readonly test: number;
  readonly seed: number;
  readonly format?: 'sparse' | 'dense';
  readonly triggersPerLabel?: number;
  readonly labelsPerRow?: number;
  readonly noisePerRow?: number;
  /** Which files to write (default all three). */
  readonly files?: ReadonlyArray<'train' | 'test' | 'xml'>;
}

/** Shapes of the real datasets, for `writeSyntheticDataset({ ...BOOKMARKS_SHAPE, ... })`. */
export const BOOKMARKS_SHAPE = { name: 'bookmarks', nFeatures: 2150, nLabels: 208 } as const;
export const BIBTEX_SHAPE = { name: 'bibtex', nFeatures: 1836, nLabels: 159 } as const;

/**
 * Writes a synthetic dataset in MULAN's layout under `dataDir` (train and test share one rule,
 * rows differ), seeded. Returns the paths and the rule.
 */
export function writeSyntheticDataset(dataDir: string, o: SyntheticDatasetOptions): {
  dir: string;
  trainFile: string;
  testFile: string;
  labelsFile: string;
  rule: SyntheticRule;
  labelNames: string[];
} {
  const dir = path.join(dataDir, o.name);
  mkdirSync(dir, { recursive: true });
  const rule = syntheticRule(o.nFeatures, o.nLabels, o.seed, o.triggersPerLabel);
  const labelNames = syntheticLabelNames(o.nLabels);
  const files = o.files ?? ['train', 'test', 'xml'];
  const trainFile = path.join(dir, `${o.name}-train.arff`);
  const testFile = path.join(dir, `${o.name}-test.arff`);
  const labelsFile = path.join(dir, `${o.name}.xml`);
  const common = { format: o.format, relation: o.name, labelNames, labelsPerRow: o.labelsPerRow, noisePerRow: o.noisePerRow };
  if (files.includes('train')) writeFileSync(trainFile, syntheticArffText(rule, { ...common, rows: o.train, seed: o.seed * 2 + 1 }));
  if (files.includes('test')) writeFileSync(testFile, syntheticArffText(rule, { ...common, rows: o.test, seed: o.seed * 2 + 2 }));
  if (files.includes('xml')) writeFileSync(labelsFile, labelsXmlText(labelNames));
  return { dir, trainFile, testFile, labelsFile, rule, labelNames };
}
