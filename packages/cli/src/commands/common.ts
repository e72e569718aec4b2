import * as path from 'node:path';
import type { Argv } from 'yargs';
import { AlenError, useBackend, BACKENDS, METHODS, type Split } from '@alen/core';
import type { StatusOptions } from '../pool.js';
import { loadPlugins } from '../plugins.js';
import { resolveDataDir } from '../data-dir.js';

export interface GlobalArgs {
  backend?: string;
  data?: string;
  plugin?: string[];
  quiet?: boolean;
}

export function globalOptions<T>(y: Argv<T>) {
  return y
    .option('backend', {
      type: 'string',
      choices: [...BACKENDS],
      describe: 'TensorFlow.js backend (default: $ALEN_BACKEND, else wasm, falling back to cpu). tensorflow needs @tensorflow/tfjs-node(-gpu); webgpu needs the webgpu package',
    })
    .option('data', { type: 'string', describe: 'data directory (default: $ALEN_DATA, else ../shared/data beside the repository)' })
    .option('plugin', { type: 'string', array: true, describe: 'extra task plugin: a module name or a path to a .js file or package folder (repeatable)' })
    .option('quiet', { type: 'boolean', default: false, describe: 'no progress output' });
}

/** `--task` and `--method` (default alen), as train and params take them. */
export function taskMethodOptions<T>(y: Argv<T>) {
  return y
    .option('task', { type: 'string', demandOption: true, describe: 'task name (see `alen tasks`)' })
    .option('method', { type: 'string', default: 'alen', describe: `training method: ${METHODS.join(', ')}` });
}

export const log = (m: string) => process.stderr.write(m + '\n');

/** Loads plugins, picks the backend, and resolves the data directory. */
export async function setup(args: GlobalArgs): Promise<{ backend: string; dataDir: string }> {
  await loadPlugins(args.plugin ?? [], args.quiet ? () => {} : log);
  const info = await useBackend(args.backend);
  if (info.fallbackReason && !args.quiet) log(`note: using ${info.name} backend: ${info.fallbackReason}`);
  return { backend: info.name, dataDir: resolveDataDir(args.data).dir };
}

export function limitOptions<T>(y: Argv<T>) {
  return y
    .option('limit-train', { type: 'number', describe: 'use only the first N training examples' })
    .option('limit-val', { type: 'number', describe: 'use only the first N validation examples' })
    .option('limit-test', { type: 'number', describe: 'use only the first N test examples' })
    .option('opt', { type: 'string', array: true, default: [] as string[], describe: "task option key=value, passed to the task's loader (e.g. --opt source=db on weizmann; each task plugin's README lists its options)" });
}

export function limitFrom(a: { limitTrain?: number; limitVal?: number; limitTest?: number }): Partial<Record<Split, number>> | undefined {
  const l: Partial<Record<Split, number>> = {};
  for (const [split, n] of [['train', a.limitTrain], ['val', a.limitVal], ['test', a.limitTest]] as const) {
    if (n === undefined) continue;
    if (!(Number.isInteger(n) && n > 0)) throw new AlenError('BAD_CONFIG', `--limit-${split} must be a positive integer, got ${n}`);
    l[split] = n;
  }
  return Object.keys(l).length ? l : undefined;
}

/** A flag that must be a positive integer when given (`--jobs`, `--epochs`, `--stop-after`). */
export function positiveIntFlag(flag: string, v: number | undefined): number | undefined {
  if (v !== undefined && !(Number.isInteger(v) && v > 0)) throw new AlenError('BAD_CONFIG', `--${flag} must be a positive integer, got ${v}`);
  return v;
}

/** `--steps`: a whole number of ascent steps, or unset (the model's own). */
export function stepsFrom(steps: number | undefined): number | undefined {
  if (steps !== undefined && !(Number.isInteger(steps) && steps >= 0)) {
    throw new AlenError('BAD_CONFIG', `--steps must be a whole number ≥ 0, got ${steps}`);
  }
  return steps;
}

/** One comma-separated item of a list flag, which must be a non-negative integer. */
function nonNegativeInt(raw: string, what: string): number {
  const n = Number(raw.trim());
  if (!Number.isInteger(n) || n < 0) throw new AlenError('BAD_CONFIG', `${what} must be non-negative integers, got '${raw}'`);
  return n;
}

export function parseSteps(s: string | undefined): number[] | undefined {
  if (!s) return undefined;
  return s.split(',').map((v) => nonNegativeInt(v, 'step counts'));
}

/** `--seeds 0 1 2` or `--seeds 0,1,2`: non-negative integers, repeats dropped. */
export function parseSeeds(values: ReadonlyArray<string | number>): number[] {
  const seeds = values.flatMap((v) => String(v).split(',')).filter((v) => v.trim() !== '').map((v) => nonNegativeInt(v, 'seeds'));
  if (!seeds.length) throw new AlenError('BAD_CONFIG', '--seeds needs at least one seed');
  return [...new Set(seeds)];
}

export const cliPath = () => path.resolve(process.argv[1] ?? 'alen');

/** A shell-quoted command line. */
export function quoteArgs(args: readonly string[]): string {
  return args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** The global flags a parent command hands on to its `alen train` child processes (paths made absolute). */
export function globalChildArgs(a: GlobalArgs): string[] {
  const out: string[] = [];
  if (a.backend) out.push('--backend', a.backend);
  if (a.data) out.push('--data', path.resolve(a.data));
  for (const p of a.plugin ?? []) out.push('--plugin', path.resolve(p));
  return out;
}

/** bench's and sweep's status lines on their running jobs (`--status-every`); none with --quiet. */
export function statusOptions(a: GlobalArgs & { statusEvery?: number }, metric: string): StatusOptions | undefined {
  const every = a.statusEvery ?? 0;
  if (!Number.isFinite(every) || every < 0) throw new AlenError('BAD_CONFIG', `--status-every must be a number of seconds ≥ 0 (0: no status lines), got ${a.statusEvery}`);
  return a.quiet || every === 0 ? undefined : { everySeconds: every, metric, write: log };
}
