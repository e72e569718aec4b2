import { dataError } from '@alen/core';

export interface ListEntry {
  /** Person name, the folder of the image (`Aaron_Peirsol`). */
  readonly name: string;
  /** Image number within the person. */
  readonly number: number;
  /** `Name_NNNN`, the number always padded to 4 digits. */
  readonly id: string;
  /** 1-based line in the list file, for messages. */
  readonly line: number;
}

/**
 * Parses a split list (`parts_train.txt`): one `Name N` per line. N is zero-padded on some lines
 * (`0001`) and not on others (`2`); ids always use 4 digits. Blank lines are skipped.
 */
export function parseSplitList(text: string, file: string): ListEntry[] {
  const out: ListEntry[] = [];
  const seen = new Map<string, number>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    if (raw.trim() === '') continue;
    const line = i + 1;
    const fields = raw.trim().split(/\s+/);
    if (fields.length !== 2) throw dataError(file, line, `expected 'Name N', got '${raw}'`);
    const [name, num] = fields as [string, string];
    if (!/^\d{1,4}$/.test(num)) throw dataError(file, line, `image number '${num}' is not an integer of at most 4 digits`);
    if (/[\\/]/.test(name) || name === '.' || name === '..') throw dataError(file, line, `invalid person name '${name}'`);
    const number = Number(num);
    const id = `${name}_${String(number).padStart(4, '0')}`;
    const prev = seen.get(id);
    if (prev !== undefined) throw dataError(file, line, `${id} is listed twice (also on line ${prev})`);
    seen.set(id, line);
    out.push({ name, number, id, line });
  }
  return out;
}

/** Person name of an id `Name_NNNN` (names may themselves contain underscores). */
export function personOf(id: string): string {
  return id.slice(0, -5);
}
