import { AlenError } from '../errors.js';
import type { BuildContext, HyperParams } from '../types.js';

type Arch = HyperParams['arch'];

/** Where architecture options are read from: `hp.arch` itself, or a build context (its `hp.arch`). */
export type ArchSource = Arch | Pick<BuildContext, 'hp'> | undefined;

export interface ArchNumberOptions {
  readonly min?: number;
  readonly max?: number;
  readonly integer?: boolean;
}

function archOf(source: ArchSource): Arch | undefined {
  // Arch values are primitives, so an object-valued `hp` can only be a build context's.
  if (source && typeof (source as { hp?: unknown }).hp === 'object') return (source as Pick<BuildContext, 'hp'>).hp.arch;
  return source as Arch | undefined;
}

function badOption(key: string, what: string, raw: unknown): AlenError {
  return new AlenError('BAD_CONFIG', `arch option ${key} must be ${what}, got ${key}=${String(raw)}`);
}

function describeNumber({ min, max, integer }: ArchNumberOptions): string {
  const kind = integer ? 'an integer' : 'a number';
  if (min !== undefined && max !== undefined) return `${kind} in [${min}, ${max}]`;
  if (min !== undefined) return `${kind} ≥ ${min}`;
  if (max !== undefined) return `${kind} ≤ ${max}`;
  return kind;
}

/**
 * A numeric architecture option (`--arch key=value`; strings such as '64' are parsed), or `fallback`
 * when absent. Throws BAD_CONFIG naming the option when it is not a finite number in range.
 */
export function archNumber(source: ArchSource, key: string, fallback: number, opts: ArchNumberOptions = {}): number {
  const raw = archOf(source)?.[key] ?? fallback;
  const v = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  const { min, max, integer = false } = opts;
  const ok =
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (!integer || Number.isInteger(v)) &&
    (min === undefined || v >= min) &&
    (max === undefined || v <= max);
  if (!ok) throw badOption(key, describeNumber(opts), raw);
  return v;
}

/** A boolean architecture option: true/false, or the strings 'true'/'false'/'1'/'0'. */
export function archBoolean(source: ArchSource, key: string, fallback: boolean): boolean {
  const raw = archOf(source)?.[key] ?? fallback;
  if (typeof raw === 'boolean') return raw;
  if (raw === 'true' || raw === '1' || raw === 1) return true;
  if (raw === 'false' || raw === '0' || raw === 0) return false;
  throw badOption(key, 'true or false', raw);
}

/** A string architecture option, restricted to `choices` when given. */
export function archString<T extends string>(source: ArchSource, key: string, fallback: T, choices?: readonly T[]): T {
  const raw = archOf(source)?.[key] ?? fallback;
  if (choices ? !(choices as readonly unknown[]).includes(raw) : typeof raw !== 'string') {
    throw badOption(key, choices ? `one of ${choices.join(', ')}` : 'a string', raw);
  }
  return raw as T;
}
