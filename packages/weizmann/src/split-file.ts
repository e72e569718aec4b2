import type { Split } from '@alen/core';
import { dataError } from '@alen/core';

/** One line of `dvn_split.txt`: `split position horse_number`. */
export interface SplitEntry {
  readonly split: Split;
  readonly position: number;
  /** 1-based horse number: `horseNNN.jpg`, row n-1 of the `.bin` files. */
  readonly horse: number;
  /** 1-based line in the split file, for error messages. */
  readonly line: number;
}

export type SplitEntries = Record<Split, SplitEntry[]>;

const SPLITS: readonly Split[] = ['train', 'val', 'test'];

/**
 * Parses the DVN split file: `#` comment lines and blank lines are skipped, every other line is
 * `split position horse_number`. Each split is returned in `position` order. `maxHorse` bounds the
 * horse numbers (the number of records when the data is the CHOPPS `.bin` files).
 */
export function parseSplitFile(text: string, file: string, maxHorse = Number.POSITIVE_INFINITY): SplitEntries {
  const out: SplitEntries = { train: [], val: [], test: [] };
  const seenHorse = new Map<number, number>();
  const seenPos = new Map<string, number>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const s = lines[i]!.replace(/\r$/, '').trim();
    if (s === '' || s.startsWith('#')) continue;
    const parts = s.split(/\s+/);
    if (parts.length !== 3) {
      throw dataError(file, line, `expected 'split position horse_number' (3 fields), got ${parts.length}: '${s}'`);
    }
    const [name, posText, horseText] = parts as [string, string, string];
    if (!(SPLITS as readonly string[]).includes(name)) {
      throw dataError(file, line, `unknown split '${name}' (expected train, val or test)`);
    }
    if (!/^\d+$/.test(posText)) throw dataError(file, line, `position '${posText}' is not a non-negative integer`);
    if (!/^\d+$/.test(horseText)) throw dataError(file, line, `horse number '${horseText}' is not a positive integer`);
    const position = Number(posText);
    const horse = Number(horseText);
    if (horse < 1 || horse > maxHorse) {
      throw dataError(file, line, `horse number ${horse} names no image (the data holds horses 1..${maxHorse})`);
    }
    const prevHorse = seenHorse.get(horse);
    if (prevHorse !== undefined) throw dataError(file, line, `horse ${horse} is listed twice (also on line ${prevHorse})`);
    const key = `${name}/${position}`;
    const prevPos = seenPos.get(key);
    if (prevPos !== undefined) throw dataError(file, line, `${name} position ${position} is listed twice (also on line ${prevPos})`);
    seenHorse.set(horse, line);
    seenPos.set(key, line);
    out[name as Split].push({ split: name as Split, position, horse, line });
  }
  for (const sp of SPLITS) {
    if (out[sp].length === 0) throw dataError(file, undefined, `no '${sp}' lines`);
    out[sp].sort((a, b) => a.position - b.position);
  }
  return out;
}
