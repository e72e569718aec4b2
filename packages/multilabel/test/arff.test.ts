import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AlenError } from '@alen/core';
import { parseArff, readArff, readLabelsXml } from '../src/index.js';
import { BIBTEX_DIR, tempFile } from './helpers.js';

const bibtexLabels = (): string[] => readLabelsXml(path.join(BIBTEX_DIR, 'bibtex.xml'));

describe('readArff on the real Bibtex files', () => {
  const labels = bibtexLabels();
  const train = readArff(path.join(BIBTEX_DIR, 'bibtex-train.arff'), { labels });
  const test = readArff(path.join(BIBTEX_DIR, 'bibtex-test.arff'), { labels });

  it('has the published shape', () => {
    expect(train.relation).toBe('bibsonomy_bibtex');
    expect(train.attributes).toHaveLength(1995);
    expect([train.n, train.nFeatures, train.nLabels]).toEqual([4880, 1836, 159]);
    expect([test.n, test.nFeatures, test.nLabels]).toEqual([2515, 1836, 159]);
    expect(train.features).toHaveLength(4880 * 1836);
    expect(train.labels).toHaveLength(4880 * 159);
    expect(train.labelNames).toEqual(labels);
    expect(train.featureNames.slice(0, 3)).toEqual(['0', '000', '02']);
  });

  it('reads the first row (line 2000) exactly', () => {
    const on = (a: Float32Array, width: number, row: number): number[] => {
      const r: number[] = [];
      for (let k = 0; k < width; k++) if (a[row * width + k] !== 0) r.push(k);
      return r;
    };
    const f = on(train.features, 1836, 0);
    expect(f.slice(0, 5)).toEqual([0, 5, 6, 20, 33]);
    expect(f).toHaveLength(87);
    expect(f.at(-1)).toBe(1810);
    expect(on(train.labels, 159, 0)).toEqual([3, 23, 61, 63, 76]); // attributes 1839, 1859, 1897, 1899, 1912
    expect(on(train.labels, 159, 4879)).toEqual([48, 117]); // last row, no trailing newline
    expect(new Set(train.features)).toEqual(new Set([0, 1]));
  });

  it('label cardinality ≈ 2.40 on the union', () => {
    const union = readArff(path.join(BIBTEX_DIR, 'bibtex.arff'), { labels });
    expect(union.n).toBe(7395);
    const card = union.labels.reduce((a, b) => a + b, 0) / union.n;
    expect(card).toBeCloseTo(2.4019, 3);
    const onTrainAndTest = (train.labels.reduce((a, b) => a + b, 0) + test.labels.reduce((a, b) => a + b, 0)) / 7395;
    expect(onTrainAndTest).toBeCloseTo(card, 10);
  });
});

const HEADER = [
  '@relation toy',
  '',
  '@attribute a {0,1}',
  "@attribute 'b c' numeric",
  '@attribute d {0,1}',
  '@attribute TAG_x {0,1}',
  '@attribute TAG_y {0,1}',
  '',
  '@data',
].join('\n'); // @data is line 9

describe('parseArff formats', () => {
  it('reads sparse and dense rows, comments and blank lines', () => {
    const text = `${HEADER}\n{0 1,1 2.5,4 1}\n% a comment\n\n1,-0.5,0,1,0\n{}\n0, 3e-1 ,1,0,1\r\n`;
    const d = parseArff(text, 'toy.arff', { labels: ['TAG_x', 'TAG_y'] });
    expect(d.n).toBe(4);
    expect(d.featureNames).toEqual(['a', 'b c', 'd']);
    expect(Array.from(d.features)).toEqual([1, 2.5, 0, 1, -0.5, 0, 0, 0, 0, 0, Math.fround(0.3), 1]);
    expect(Array.from(d.labels)).toEqual([0, 1, 1, 0, 0, 0, 0, 1]);
  });

  it('finds labels by name anywhere and returns them in the requested order', () => {
    const text = '@relation r\n@attribute L1 {0,1}\n@attribute f {0,1}\n@attribute L0 {0,1}\n@data\n{0 1,1 1}\n1,0,1\n';
    const d = parseArff(text, 'mid.arff', { labels: ['L0', 'L1'] });
    expect(d.featureNames).toEqual(['f']);
    expect(Array.from(d.features)).toEqual([1, 0]);
    expect(Array.from(d.labels)).toEqual([0, 1, 1, 1]);
  });

  it('accepts absent labels only when asked to', () => {
    const text = '@relation r\n@attribute f {0,1}\n@attribute g numeric\n@data\n{1 3}\n';
    const d = parseArff(text, 'in.arff', { labels: ['TAG_x'], labelsOptional: true });
    expect([d.nFeatures, d.nLabels]).toEqual([2, 0]);
    expect(Array.from(d.features)).toEqual([0, 3]);
    expect(() => parseArff(text, 'in.arff', { labels: ['TAG_x'] })).toThrow(/in\.arff:4: label 'TAG_x'/);
  });
});

describe('readArff errors name the file and the 1-based line', () => {
  const labels = ['TAG_x', 'TAG_y'];
  const cases: Array<[string, string, RegExp]> = [
    ['no @data (truncated header)', '@relation toy\n@attribute a {0,1}\n@attribute b {0,1}', /:3: no @data section/],
    ['row cut off (no closing brace)', `${HEADER}\n{0 1,2 1}\n{0 1,2 1,3`, /:11: sparse row is not closed by '}'/],
    ['dense row cut off', `${HEADER}\n1,2,0,1`, /:10: dense row has 4 values but the header declares 5/],
    ['dense row too long', `${HEADER}\n1,2,0,1,0,1`, /:10: dense row has more than the 5 values/],
    ['index out of range', `${HEADER}\n{0 1}\n{1 1,5 1}`, /:11: attribute index 5 out of range: the header declares 5 attributes \(0\.\.4\)/],
    ['non-binary value on {0,1}', `${HEADER}\n{0 2}`, /:10: value '2' of attribute 'a' \(index 0\) is not 0 or 1/],
    ['non-binary label in a dense row', `${HEADER}\n0,0,0,0.5,0`, /:10: value '0.5' of attribute 'TAG_x'/],
    ['token without value', `${HEADER}\n{0 1,3}`, /:10: malformed token '3' \(no value/],
    ['token without index', `${HEADER}\n{x 1}`, /:10: malformed token 'x 1' \(no attribute index/],
    ['token with three fields', `${HEADER}\n{0 1 1}`, /:10: malformed token '0 1 1' \(more than two fields/],
    ['trailing comma', `${HEADER}\n{0 1,}`, /:10: malformed token '' \(no attribute index/],
    ['non-numeric value', `${HEADER}\n{1 abc}`, /:10: malformed value 'abc' for attribute 'b c'/],
    ['missing value', `${HEADER}\n?,1,0,0,0`, /:10: missing value '\?'/],
    ['indices not ascending', `${HEADER}\n{0 1,3 1,2 1}`, /:10: attribute indices not ascending: 2 after 3/],
    ['repeated index', `${HEADER}\n{2 1,2 1}`, /:10: attribute indices not ascending: 2 after 2/],
    ['unknown header line', '@relation toy\nfoo bar\n@data\n', /:2: unexpected header line 'foo bar' \(expected @relation, @attribute or @data\)$/],
    ['a CSV file', 'f0,f1,f2\n0.1,0.2,0.3\n', /:1: unexpected header line 'f0,f1,f2'.*this is not an ARFF file \(multi-label tasks read MULAN ARFF/],
    ['unsupported type', '@relation toy\n@attribute s string\n@data\n', /:2: attribute 's': type 'string' is not supported/],
    ['duplicate attribute', '@relation toy\n@attribute a {0,1}\n@attribute a {0,1}\n@data\n', /:3: attribute 'a' is declared twice \(first on line 2\)/],
    ['label missing from header', HEADER.replace('TAG_y', 'TAG_z') + '\n{}', /:9: label 'TAG_y' \(listed in labels\.xml\) is not declared as an attribute.*do not match/],
    ['label not {0,1}', HEADER.replace('@attribute TAG_y {0,1}', '@attribute TAG_y numeric') + '\n{}', /:7: label attribute 'TAG_y' must be declared \{0,1\}/],
  ];
  for (const [what, text, message] of cases) {
    it(what, () => {
      const file = tempFile('bad.arff', text);
      let err: unknown;
      try {
        readArff(file, { labels, labelsSource: 'labels.xml' });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(AlenError);
      expect((err as AlenError).code).toBe('BAD_DATA');
      expect((err as AlenError).message).toContain(file);
      expect((err as AlenError).message).toMatch(message);
    });
  }

  it('a missing file is MISSING_DATA naming it', () => {
    expect(() => readArff('/nonexistent/x.arff', { labels })).toThrow(/\/nonexistent\/x\.arff: ARFF file not found/);
  });
});
