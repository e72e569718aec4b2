import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSplitList, personOf } from '../src/split-list.js';
import { LFW } from './helpers.js';

describe('split lists', () => {
  it('real lists have 1500 / 500 / 927 distinct entries and no overlap', () => {
    const sizes: Record<string, number> = {};
    const all = new Set<string>();
    for (const f of ['parts_train.txt', 'parts_validation.txt', 'parts_test.txt']) {
      const file = path.join(LFW, f);
      const entries = parseSplitList(fs.readFileSync(file, 'utf8'), file);
      sizes[f] = entries.length;
      for (const e of entries) {
        expect(e.id).toMatch(/^.+_\d{4}$/);
        expect(all.has(e.id)).toBe(false);
        all.add(e.id);
      }
    }
    expect(sizes).toEqual({ 'parts_train.txt': 1500, 'parts_validation.txt': 500, 'parts_test.txt': 927 });
  });

  it('pads unpadded numbers to 4 digits (parts_train.txt line 5 is "Clara_Harris 1")', () => {
    const file = path.join(LFW, 'parts_train.txt');
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    expect(lines[4]).toBe('Clara_Harris 1');
    expect(lines[0]).toBe('Inga_Hall 0001');
    const entries = parseSplitList(lines.join('\n'), file);
    expect(entries[4]).toMatchObject({ name: 'Clara_Harris', number: 1, id: 'Clara_Harris_0001', line: 5 });
    expect(entries[0]!.id).toBe('Inga_Hall_0001');
    expect(personOf('Osama_bin_Laden_0003')).toBe('Osama_bin_Laden');
  });

  it('handles CRLF, blank lines and multi-digit numbers', () => {
    const e = parseSplitList('A_B 7\r\n\r\nC_D 0123\r\nE_F 1234\n', 'x.txt');
    expect(e.map((q) => q.id)).toEqual(['A_B_0007', 'C_D_0123', 'E_F_1234']);
    expect(e.map((q) => q.line)).toEqual([1, 3, 4]);
  });

  it('rejects malformed lines, naming file and line', () => {
    expect(() => parseSplitList('A_B 1\nonlyname\n', 'list.txt')).toThrow(/list\.txt:2: expected 'Name N'/);
    expect(() => parseSplitList('A_B x1\n', 'list.txt')).toThrow(/list\.txt:1: .*not an integer/);
    expect(() => parseSplitList('A_B 12345\n', 'list.txt')).toThrow(/list\.txt:1/);
    expect(() => parseSplitList('../etc 1\n', 'list.txt')).toThrow(/invalid person name/);
    expect(() => parseSplitList('A_B 1\nA_B 0001\n', 'list.txt')).toThrow(/list\.txt:2: A_B_0001 is listed twice \(also on line 1\)/);
  });
});
