import * as fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { AlenError, dataError, writeFileAtomic } from '@alen/core';

/** Default input reader of `alen predict`: CSV or TSV rows of numbers, one example per row; an optional header row is skipped. */
export function readNumericRows(file: string, width: number): { x: Float32Array; n: number; ids: string[] } {
  if (!fs.existsSync(file)) throw new AlenError('MISSING_DATA', `input ${file}: no such file`);
  const text = fs.readFileSync(file, 'utf8');
  const delimiter = file.endsWith('.tsv') || (text.split('\n')[0] ?? '').includes('\t') ? '\t' : ',';
  let rows: string[][];
  try {
    rows = parse(text, { delimiter, skip_empty_lines: true, trim: true, relax_column_count: true });
  } catch (e) {
    throw dataError(file, undefined, `cannot parse as ${delimiter === '\t' ? 'TSV' : 'CSV'}: ${(e as Error).message}`);
  }
  const start = rows.length && rows[0]!.some((c) => c !== '' && Number.isNaN(Number(c))) ? 1 : 0;
  const body = rows.slice(start);
  if (!body.length) {
    const why = rows.length ? `its only line was taken as a header (it holds text: ${rows[0]!.slice(0, 4).join(delimiter)}${rows[0]!.length > 4 ? '…' : ''})` : 'it is empty';
    throw dataError(file, undefined, `no rows of numbers to predict for: ${why}; expected ${delimiter === '\t' ? 'TSV' : 'CSV'} rows of ${width} numbers`);
  }
  const x = new Float32Array(body.length * width);
  body.forEach((r, i) => {
    if (r.length !== width) throw dataError(file, i + start + 1, `expected ${width} values, found ${r.length}`);
    r.forEach((c, j) => {
      const v = Number(c);
      if (c === '' || !Number.isFinite(v)) throw dataError(file, i + start + 1, `value ${j + 1} '${c}' is not a number`);
      x[i * width + j] = v;
    });
  });
  return { x, n: body.length, ids: body.map((_, i) => String(i)) };
}

/** Default output writer: CSV with an id column and the soft outputs (y0, y1, …, flattened per example). */
export function writeNumericRows(file: string, pred: Float32Array, n: number, ids?: readonly string[]): void {
  const width = pred.length / n;
  const lines = ['id,' + Array.from({ length: width }, (_, j) => `y${j}`).join(',')];
  for (let i = 0; i < n; i++) lines.push([ids?.[i] ?? String(i), ...Array.from(pred.subarray(i * width, (i + 1) * width), (v) => v.toFixed(6))].join(','));
  writeFileAtomic(file, lines.join('\n') + '\n');
}
