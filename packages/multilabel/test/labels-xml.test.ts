import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLabelsXml, readLabelsXml } from '../src/index.js';
import { DATA_DIR, tempFile } from './helpers.js';

describe('MULAN label XML', () => {
  it('reads the real label files in order', () => {
    const bib = readLabelsXml(path.join(DATA_DIR, 'bibtex', 'bibtex.xml'));
    expect(bib).toHaveLength(159);
    expect(bib.slice(0, 2)).toEqual(['TAG_2005', 'TAG_2006']);
    expect(bib.at(-1)).toBe('TAG_wiki');
    const bm = readLabelsXml(path.join(DATA_DIR, 'bookmarks', 'bookmarks.xml'));
    expect(bm).toHaveLength(208);
    expect(bm[0]).toBe('TAG_20');
    expect(bm.at(-1)).toBe('TAG_yahoo');
  });

  it('handles self-closing, single quotes, entities and nesting', () => {
    const xml = `<?xml version="1.0"?>\n<labels xmlns="x">\n<label name='a&amp;b'/>\n<label name="p"><label name="q"></label></label>\n</labels>`;
    expect(parseLabelsXml(xml, 'h.xml')).toEqual(['a&b', 'p', 'q']);
  });

  it('errors name the file (and line)', () => {
    expect(() => parseLabelsXml('<foo/>', 'a.xml')).toThrow(/^a\.xml: no <labels> element/);
    expect(() => parseLabelsXml('<labels>\n<label name="x"></label>\n', 'b.xml')).toThrow(/^b\.xml:3: no closing <\/labels>/);
    expect(() => parseLabelsXml('<labels>\n<label id="x"></label>\n</labels>', 'c.xml')).toThrow(/^c\.xml:2: <label> without a name/);
    expect(() => parseLabelsXml('<labels>\n<label name="x"/>\n<label name="x"/>\n</labels>', 'd.xml')).toThrow(
      /^d\.xml:3: label 'x' is listed twice \(first on line 2\)/,
    );
    expect(() => parseLabelsXml('<labels></labels>', 'e.xml')).toThrow(/^e\.xml: no <label/);
    const f = tempFile('t.xml', '<labels>\n<label name="x"></label>');
    expect(() => readLabelsXml(f)).toThrow(new RegExp(`${f}:2: no closing`));
    expect(() => readLabelsXml('/nonexistent/l.xml')).toThrow(/\/nonexistent\/l\.xml: label file not found/);
  });
});
