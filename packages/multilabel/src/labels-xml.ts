import { readFileSync } from 'node:fs';
import { AlenError, dataError } from '@alen/core';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|\w+);/g, (whole, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return ENTITIES[e] ?? whole;
  });
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * Parses a MULAN label file (`<labels xmlns="..."><label name="TAG_x"></label>...</labels>`) into
 * the label names in document order. Nested `<label>` elements (MULAN hierarchies) are flattened
 * in document order. `file` is used in messages only.
 */
export function parseLabelsXml(text: string, file: string): string[] {
  const root = /<labels\b/.exec(text);
  if (!root) throw dataError(file, undefined, 'no <labels> element: not a MULAN label file');
  if (!/<\/labels\s*>/.test(text)) {
    throw dataError(file, lineAt(text, text.length), 'no closing </labels>: the file is truncated');
  }
  const names: string[] = [];
  const seen = new Map<string, number>();
  const tag = /<label\b([^>]*)>/g;
  for (let m = tag.exec(text); m; m = tag.exec(text)) {
    const line = lineAt(text, m.index);
    const attr = /\bname\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(m[1]!);
    if (!attr) throw dataError(file, line, `<label> without a name attribute: '${m[0].slice(0, 60)}'`);
    const name = decodeEntities(attr[1] ?? attr[2]!);
    if (!name) throw dataError(file, line, '<label> with an empty name');
    const prev = seen.get(name);
    if (prev !== undefined) throw dataError(file, line, `label '${name}' is listed twice (first on line ${prev})`);
    seen.set(name, line);
    names.push(name);
  }
  if (names.length === 0) throw dataError(file, undefined, 'no <label name="..."> elements');
  return names;
}

/**
 * Reads a MULAN label XML file.
 * @throws AlenError MISSING_DATA when it does not exist, BAD_DATA (naming the file) when malformed.
 */
export function readLabelsXml(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new AlenError('MISSING_DATA', `${file}: label file not found`);
    throw new AlenError('BAD_DATA', `${file}: cannot read (${err.message})`);
  }
  return parseLabelsXml(text, file);
}
