/**
 * Superpixel accuracy, the official LFW part-labels metric (Kae et al. 2013, GLOC code).
 *
 * File format (read from the GLOC code: `eval_lfw_gloc.m` loads both files with MATLAB `load` and
 * adds 1 to each; `computeGTppm` in `generate_features.cpp` writes the labels):
 * - `parts_lfw_funneled_superpixels_mat/Name/Name_NNNN.dat`: a text matrix, 250 lines of 250
 *   whitespace-separated integers: the 0-based superpixel index of each pixel, line = image row.
 * - `parts_lfw_funneled_gt/Name/Name_NNNN.dat`: text, the number of superpixels K, then K
 *   integers (one per line): the label of superpixel 0..K−1, 0 hair, 1 face/skin, 2 background
 *   (the same order as this package's classes).
 *
 * Metric: predictions are upsampled to 250×250 (bilinear, argmax: upsample.ts); each superpixel
 * takes the majority predicted label over its pixels (ties → lower class index); accuracy =
 * correct superpixels / all superpixels, pooled over the split (GLOC: 100·(1 − Σerr / Σ K)).
 * A superpixel of the label file that owns no pixel of the map counts as wrong.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { AlenError, dataError } from '@alen/core';
import { FULL_SIZE, NUM_CLASSES, SUPERPIXEL_LABEL_DIR, SUPERPIXEL_MAP_DIR } from './constants.js';
import { personOf } from './split-list.js';

export interface SuperpixelData {
  /** Superpixel index per pixel, row-major. */
  readonly map: Int32Array;
  /** Ground-truth class per superpixel. */
  readonly labels: Uint8Array;
}

/** Calls `fn(value, line)` for every non-negative integer of a whitespace-separated text. */
function scanInts(text: string, file: string, fn: (v: number, line: number) => void): void {
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      i++;
    } else if (c === 32 || c === 9 || c === 13) {
      i++;
    } else if (c >= 48 && c <= 57) {
      let v = 0;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d < 48 || d > 57) break;
        v = v * 10 + (d - 48);
        i++;
      }
      // "3.0" (MATLAB may write integers as floats) is accepted when the fraction is zero.
      if (text.charCodeAt(i) === 46) {
        i++;
        while (i < n && text.charCodeAt(i) === 48) i++;
        const d = text.charCodeAt(i);
        if (d >= 48 && d <= 57) throw dataError(file, line, 'expected an integer, found a fraction');
      }
      const d = text.charCodeAt(i);
      if (i < n && d !== 32 && d !== 9 && d !== 13 && d !== 10) throw dataError(file, line, `unexpected character '${text[i]}'`);
      fn(v, line);
    } else {
      throw dataError(file, line, `unexpected character '${text[i]}' (expected non-negative integers)`);
    }
  }
}

/** Parses a superpixel map: `height` lines of `width` integers. */
export function parseSuperpixelMap(text: string, file: string, height = FULL_SIZE, width = FULL_SIZE): Int32Array {
  const map = new Int32Array(height * width);
  let count = 0;
  let curLine = 0;
  let inLine = 0;
  let rows = 0;
  const endLine = () => {
    if (inLine === 0) return;
    if (inLine !== width) throw dataError(file, curLine, `row has ${inLine} values, expected ${width}`);
    rows++;
  };
  scanInts(text, file, (v, line) => {
    if (line !== curLine) {
      endLine();
      curLine = line;
      inLine = 0;
    }
    if (count >= map.length) throw dataError(file, line, `more than ${height}×${width} values`);
    map[count++] = v;
    inLine++;
  });
  endLine();
  if (count !== map.length || rows !== height) {
    throw dataError(file, undefined, `expected ${height} rows of ${width} superpixel indices, found ${rows} rows (${count} values)`);
  }
  return map;
}

/** Parses a superpixel label file: K, then K labels in {0, 1, 2}. */
export function parseSuperpixelLabels(text: string, file: string): Uint8Array {
  let k = -1;
  let labels = new Uint8Array(0);
  let n = 0;
  scanInts(text, file, (v, line) => {
    if (k < 0) {
      if (v < 1) throw dataError(file, line, `number of superpixels is ${v}`);
      k = v;
      labels = new Uint8Array(k);
      return;
    }
    if (n >= k) throw dataError(file, line, `more than the ${k} labels announced on the first line`);
    if (v >= NUM_CLASSES) throw dataError(file, line, `label ${v} of superpixel ${n} is not 0 (hair), 1 (face) or 2 (background)`);
    labels[n++] = v;
  });
  if (k < 0) throw dataError(file, undefined, 'empty superpixel label file');
  if (n !== k) throw dataError(file, undefined, `announces ${k} superpixels but lists ${n} labels`);
  return labels;
}

export function superpixelPaths(lfwDir: string, id: string): { map: string; labels: string } {
  const name = personOf(id);
  return {
    map: path.join(lfwDir, SUPERPIXEL_MAP_DIR, name, `${id}.dat`),
    labels: path.join(lfwDir, SUPERPIXEL_LABEL_DIR, name, `${id}.dat`),
  };
}

/** Whether both superpixel folders of the release exist under `lfwDir`. */
export function hasSuperpixelDirs(lfwDir: string): boolean {
  const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
  return isDir(path.join(lfwDir, SUPERPIXEL_MAP_DIR)) && isDir(path.join(lfwDir, SUPERPIXEL_LABEL_DIR));
}

/** Reads and cross-checks one image's superpixel map and labels. */
export function readSuperpixels(lfwDir: string, id: string): SuperpixelData {
  const p = superpixelPaths(lfwDir, id);
  for (const f of [p.map, p.labels]) if (!existsSync(f)) throw new AlenError('MISSING_DATA', `${f}: superpixel file not found (for ${id})`);
  const map = parseSuperpixelMap(readFileSync(p.map, 'utf8'), p.map);
  const labels = parseSuperpixelLabels(readFileSync(p.labels, 'utf8'), p.labels);
  for (let q = 0; q < map.length; q++) {
    if (map[q]! >= labels.length) {
      throw dataError(
        p.map,
        Math.floor(q / FULL_SIZE) + 1,
        `pixel (x=${q % FULL_SIZE}, y=${Math.floor(q / FULL_SIZE)}) is in superpixel ${map[q]}, but ${p.labels} labels only 0..${labels.length - 1} (indices are 0-based)`,
      );
    }
  }
  return { map, labels };
}

/** Superpixel files of a split, read on first use and kept (the metric runs every validation). */
export class SuperpixelSource {
  private readonly memo = new Map<number, SuperpixelData>();

  constructor(
    readonly lfwDir: string,
    readonly ids: readonly string[],
  ) {}

  get(i: number): SuperpixelData {
    let d = this.memo.get(i);
    if (!d) {
      d = readSuperpixels(this.lfwDir, this.ids[i]!);
      this.memo.set(i, d);
    }
    return d;
  }

  /** Paths of the files that do not exist (checked at load time). */
  missing(): string[] {
    const out: string[] = [];
    for (const id of this.ids) {
      const p = superpixelPaths(this.lfwDir, id);
      if (!existsSync(p.map)) out.push(p.map);
      if (!existsSync(p.labels)) out.push(p.labels);
    }
    return out;
  }
}

/** Majority vote of predicted pixel classes per superpixel against the superpixel labels. */
export function superpixelCounts(pred: Uint8Array, sp: SuperpixelData): { correct: number; total: number } {
  const K = sp.labels.length;
  if (pred.length !== sp.map.length) {
    throw new AlenError('SHAPE_MISMATCH', `superpixel map has ${sp.map.length} pixels, prediction ${pred.length}`);
  }
  const votes = new Int32Array(K * NUM_CLASSES);
  for (let p = 0; p < pred.length; p++) votes[sp.map[p]! * NUM_CLASSES + pred[p]!]++;
  let correct = 0;
  for (let s = 0; s < K; s++) {
    const o = s * NUM_CLASSES;
    let best = 0;
    let total = votes[o]!;
    for (let c = 1; c < NUM_CLASSES; c++) {
      total += votes[o + c]!;
      if (votes[o + c]! > votes[o + best]!) best = c;
    }
    if (total > 0 && best === sp.labels[s]) correct++;
  }
  return { correct, total: K };
}
