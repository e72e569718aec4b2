import { readFileSync } from 'node:fs';
import { AlenError, dataError } from '@alen/core';

/**
 * A reader for MULAN's multi-label ARFF files: a header of `@relation`, `@attribute NAME {0,1}`
 * or `@attribute NAME numeric` lines and `@data`, then one example per line, sparse
 * (`{i v,j v,...}`, 0-based attribute indices, strictly ascending, omitted = 0) or dense
 * (`v,v,...`, one value per attribute).
 *
 * Labels are found by name (MULAN's own rule: the names in the label XML), so they may sit
 * anywhere among the attributes; they come out in the order given, every other attribute is a
 * feature in file order. A label name that is not an attribute, or a label not declared
 * `{0,1}`, is an error.
 *
 * The file is read once into a Buffer and parsed byte by byte into two Float32Arrays (one pass
 * counts the rows, one fills them), so a 60000 × 2358 file never becomes per-row JS arrays.
 */

export type ArffAttributeType = 'binary' | 'numeric';

export interface ArffAttribute {
  readonly name: string;
  readonly type: ArffAttributeType;
  /** 1-based line of the declaration. */
  readonly line: number;
}

export interface ArffData {
  readonly file: string;
  readonly relation: string;
  readonly attributes: readonly ArffAttribute[];
  readonly featureNames: readonly string[];
  /** The label names found in the file, in the requested order (empty when labels were optional and absent). */
  readonly labelNames: readonly string[];
  readonly n: number;
  readonly nFeatures: number;
  readonly nLabels: number;
  /** Row-major [n × nFeatures]. */
  readonly features: Float32Array;
  /** Row-major [n × nLabels], values 0/1. */
  readonly labels: Float32Array;
}

export interface ReadArffOptions {
  /** Names of the label attributes, in output order (from the MULAN label XML). */
  readonly labels: readonly string[];
  /** Where the label names came from, for messages (the XML file). */
  readonly labelsSource?: string;
  /**
   * Accept a file that declares none of the labels (inputs for prediction); `nLabels` is then 0.
   * A file that declares only some of them is still an error.
   */
  readonly labelsOptional?: boolean;
}

const NL = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const COMMA = 44;
const LBRACE = 123;
const RBRACE = 125;
const PERCENT = 37;
const ZERO = 48;
const NINE = 57;

const isSpace = (b: number | undefined): boolean => b === SPACE || b === TAB || b === CR;

function clip(s: string, max = 60): string {
  return s.length > max ? `${s.slice(0, max)}...` : s;
}

/** Calls `fn(start, end, line)` for every line at or after `from` (end excludes the newline). */
function forEachLine(buf: Buffer, from: number, firstLine: number, fn: (s: number, e: number, line: number) => void): void {
  let pos = from;
  let line = firstLine;
  while (pos < buf.length) {
    let end = buf.indexOf(NL, pos);
    if (end < 0) end = buf.length;
    fn(pos, end, line);
    pos = end + 1;
    line++;
  }
}

/** Trims spaces, tabs and CR; returns [s, e) or null for a blank or `%` comment line. */
function content(buf: Buffer, s: number, e: number): [number, number] | null {
  while (s < e && isSpace(buf[s])) s++;
  while (e > s && isSpace(buf[e - 1])) e--;
  if (s === e || buf[s] === PERCENT) return null;
  return [s, e];
}

interface Header {
  relation: string;
  attributes: ArffAttribute[];
  /** Byte offset of the first line after `@data`, and that line's number. */
  dataStart: number;
  dataLine: number;
  /** Line of the `@data` keyword. */
  atDataLine: number;
}

function unquote(s: string): string {
  if (s.length >= 2 && (s[0] === "'" || s[0] === '"') && s[s.length - 1] === s[0]) {
    return s.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return s;
}

function parseAttribute(rest: string, file: string, line: number): ArffAttribute {
  let name: string;
  let type: string;
  if (rest.startsWith("'") || rest.startsWith('"')) {
    const q = rest[0]!;
    let i = 1;
    while (i < rest.length && rest[i] !== q) i += rest[i] === '\\' ? 2 : 1;
    if (i >= rest.length) throw dataError(file, line, `unterminated quoted attribute name in '@attribute ${clip(rest)}'`);
    name = unquote(rest.slice(0, i + 1));
    type = rest.slice(i + 1).trim();
  } else {
    const m = /^(\S+)\s+(.*)$/.exec(rest);
    if (!m) throw dataError(file, line, `malformed attribute declaration '@attribute ${clip(rest)}' (expected '@attribute NAME TYPE')`);
    name = m[1]!;
    type = m[2]!.trim();
  }
  const lower = type.toLowerCase();
  if (lower === 'numeric' || lower === 'real' || lower === 'integer') return { name, type: 'numeric', line };
  if (type.startsWith('{')) {
    if (!type.endsWith('}')) throw dataError(file, line, `attribute '${name}': unterminated value set '${clip(type)}'`);
    const values = type.slice(1, -1).split(',').map((v) => unquote(v.trim()));
    if (values.length === 2 && values.includes('0') && values.includes('1')) return { name, type: 'binary', line };
    throw dataError(file, line, `attribute '${name}': nominal type ${clip(type)} is not supported (only {0,1} and numeric)`);
  }
  throw dataError(file, line, `attribute '${name}': type '${clip(type)}' is not supported (only {0,1} and numeric)`);
}

function parseHeader(buf: Buffer, file: string): Header {
  let relation = '';
  const attributes: ArffAttribute[] = [];
  const seen = new Map<string, number>();
  let pos = 0;
  let line = 0;
  while (pos < buf.length) {
    let end = buf.indexOf(NL, pos);
    if (end < 0) end = buf.length;
    line++;
    const text = buf.toString('utf8', pos, end).trim();
    pos = end + 1;
    if (!text || text.startsWith('%')) continue;
    const m = /^@(\w+)\s*(.*)$/.exec(text);
    const keyword = m?.[1]!.toLowerCase();
    if (keyword === 'relation') {
      relation = unquote(m![2]!.trim());
    } else if (keyword === 'attribute') {
      const attr = parseAttribute(m![2]!.trim(), file, line);
      const prev = seen.get(attr.name);
      if (prev !== undefined) throw dataError(file, line, `attribute '${attr.name}' is declared twice (first on line ${prev})`);
      seen.set(attr.name, line);
      attributes.push(attr);
    } else if (keyword === 'data') {
      if (attributes.length === 0) throw dataError(file, line, '@data before any @attribute declaration');
      return { relation, attributes, dataStart: pos, dataLine: line + 1, atDataLine: line };
    } else {
      const hint = attributes.length === 0 && relation === '' ? '; this is not an ARFF file (multi-label tasks read MULAN ARFF: a header of @relation and @attribute lines, then @data)' : '';
      throw dataError(file, line, `unexpected header line '${clip(text)}' (expected @relation, @attribute or @data)${hint}`);
    }
  }
  throw dataError(file, Math.max(line, 1), 'no @data section: the file is truncated or not an ARFF file');
}

/**
 * Parses ARFF text already in memory. `file` is used in messages only.
 * @throws AlenError BAD_DATA naming the file and 1-based line of the first problem.
 */
export function parseArff(input: Buffer | string, file: string, opts: ReadArffOptions): ArffData {
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const header = parseHeader(buf, file);
  const attrs = header.attributes;
  const nAttr = attrs.length;

  // Column map: c >= 0 → feature column c, c < 0 → label column -c-1.
  const index = new Map(attrs.map((a, i) => [a.name, i]));
  const source = opts.labelsSource ? ` (listed in ${opts.labelsSource})` : '';
  const present = opts.labels.filter((l) => index.has(l));
  const useLabels = !(opts.labelsOptional && present.length === 0);
  const colOf = new Int32Array(nAttr).fill(0);
  const isLabel = new Uint8Array(nAttr);
  const labelNames: string[] = [];
  if (useLabels) {
    opts.labels.forEach((name, k) => {
      const i = index.get(name);
      if (i === undefined) {
        throw dataError(file, header.atDataLine, `label '${name}'${source} is not declared as an attribute in the header (${present.length} of ${opts.labels.length} labels found): the ARFF file and the label file do not match`);
      }
      if (isLabel[i]) throw dataError(file, attrs[i]!.line, `label '${name}' is listed twice${source}`);
      if (attrs[i]!.type !== 'binary') throw dataError(file, attrs[i]!.line, `label attribute '${name}' must be declared {0,1}`);
      isLabel[i] = 1;
      colOf[i] = -k - 1;
      labelNames.push(name);
    });
  }
  const featureNames: string[] = [];
  for (let i = 0; i < nAttr; i++) {
    if (!isLabel[i]) {
      colOf[i] = featureNames.length;
      featureNames.push(attrs[i]!.name);
    }
  }
  const binary = Uint8Array.from(attrs, (a) => (a.type === 'binary' ? 1 : 0));
  const F = featureNames.length;
  const L = labelNames.length;

  let n = 0;
  forEachLine(buf, header.dataStart, header.dataLine, (s, e) => {
    if (content(buf, s, e)) n++;
  });
  const features = new Float32Array(n * F);
  const labels = new Float32Array(n * L);

  const value = (s: number, e: number, attr: number, line: number): number => {
    let v: number;
    if (e - s === 1 && buf[s] === ZERO + 1) v = 1;
    else if (e - s === 1 && buf[s] === ZERO) v = 0;
    else {
      const text = buf.toString('utf8', s, e);
      if (text === '?') throw dataError(file, line, `missing value '?' for attribute '${attrs[attr]!.name}' is not supported`);
      v = text.trim() === '' ? NaN : Number(text);
      if (!Number.isFinite(v)) throw dataError(file, line, `malformed value '${clip(text)}' for attribute '${attrs[attr]!.name}' (index ${attr})`);
    }
    if (binary[attr] && v !== 0 && v !== 1) {
      throw dataError(file, line, `value '${buf.toString('utf8', s, e)}' of attribute '${attrs[attr]!.name}' (index ${attr}) is not 0 or 1 as declared {0,1}`);
    }
    return v;
  };
  const put = (row: number, attr: number, v: number): void => {
    const c = colOf[attr]!;
    if (c >= 0) features[row * F + c] = v;
    else labels[row * L - c - 1] = v;
  };

  const sparseRow = (row: number, s: number, e: number, line: number): void => {
    if (buf[e - 1] !== RBRACE) {
      throw dataError(file, line, "sparse row is not closed by '}' (truncated file, or a line break inside a row)");
    }
    let p = s + 1;
    const end = e - 1;
    let prev = -1;
    while (p < end && isSpace(buf[p])) p++;
    if (p === end) return; // `{}`: all zeros
    for (;;) {
      const tokStart = p;
      let tokEnd = buf.indexOf(COMMA, p);
      if (tokEnd < 0 || tokEnd > end) tokEnd = end;
      const bad = (why: string): AlenError =>
        dataError(file, line, `malformed token '${clip(buf.toString('utf8', tokStart, tokEnd).trim())}' (${why}; expected 'INDEX VALUE')`);
      while (p < tokEnd && isSpace(buf[p])) p++;
      let idx = 0;
      const digits = p;
      while (p < tokEnd && buf[p]! >= ZERO && buf[p]! <= NINE) idx = idx * 10 + buf[p++]! - ZERO;
      if (p === digits) throw bad('no attribute index');
      if (p === tokEnd || !isSpace(buf[p])) throw bad(p === tokEnd ? 'no value' : 'index is not a whole number');
      while (p < tokEnd && isSpace(buf[p])) p++;
      let vEnd = tokEnd;
      while (vEnd > p && isSpace(buf[vEnd - 1])) vEnd--;
      if (p === vEnd) throw bad('no value');
      for (let q = p; q < vEnd; q++) if (isSpace(buf[q])) throw bad('more than two fields');
      if (idx >= nAttr) {
        throw dataError(file, line, `attribute index ${idx} out of range: the header declares ${nAttr} attributes (0..${nAttr - 1})`);
      }
      if (idx <= prev) throw dataError(file, line, `attribute indices not ascending: ${idx} after ${prev}`);
      prev = idx;
      put(row, idx, value(p, vEnd, idx, line));
      if (tokEnd === end) return;
      p = tokEnd + 1;
    }
  };

  const denseRow = (row: number, s: number, e: number, line: number): void => {
    let p = s;
    for (let attr = 0; attr < nAttr; attr++) {
      let q = buf.indexOf(COMMA, p);
      if (q < 0 || q > e) q = e;
      const last = attr === nAttr - 1;
      if (q === e && !last) {
        throw dataError(file, line, `dense row has ${attr + 1} values but the header declares ${nAttr} attributes (truncated row?)`);
      }
      if (q < e && last) throw dataError(file, line, `dense row has more than the ${nAttr} values the header declares`);
      let vs = p;
      let ve = q;
      while (vs < ve && isSpace(buf[vs])) vs++;
      while (ve > vs && isSpace(buf[ve - 1])) ve--;
      const v = value(vs, ve, attr, line);
      if (v !== 0) put(row, attr, v);
      p = q + 1;
    }
  };

  let row = 0;
  forEachLine(buf, header.dataStart, header.dataLine, (s0, e0, line) => {
    const c = content(buf, s0, e0);
    if (!c) return;
    if (buf[c[0]] === LBRACE) sparseRow(row, c[0], c[1], line);
    else denseRow(row, c[0], c[1], line);
    row++;
  });

  return { file, relation: header.relation, attributes: attrs, featureNames, labelNames, n, nFeatures: F, nLabels: L, features, labels };
}

/**
 * Reads a MULAN ARFF file (see {@link parseArff}).
 * @throws AlenError MISSING_DATA when the file does not exist, BAD_DATA (file:line) when it is malformed.
 */
export function readArff(file: string, opts: ReadArffOptions): ArffData {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new AlenError('MISSING_DATA', `${file}: ARFF file not found`);
    throw new AlenError('BAD_DATA', `${file}: cannot read (${err.message})`);
  }
  return parseArff(buf, file, opts);
}
