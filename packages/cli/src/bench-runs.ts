import * as fs from 'node:fs';
import * as path from 'node:path';
import { CHECKPOINT_LAST, CORE_DEFAULTS, dvnTupleSteps, writeFileAtomic, type HyperParams } from '@alen/core';
import { CONFIG_FILE, RESULT_FILE, type ExperimentResult } from './experiment.js';
import { readResult } from './pool.js';

/** Hyper-parameters as a run resolved them, with keys added since then at their defaults. */
function normalized(hp: Partial<HyperParams>): Record<string, unknown> {
  const full = { ...CORE_DEFAULTS, ...hp, arch: { ...(hp.arch ?? {}) } } as Record<string, unknown>;
  return JSON.parse(JSON.stringify(full)) as Record<string, unknown>;
}

/**
 * With test-step candidates the trainer records the count chosen on validation in place of the
 * prediction's step count (`testSteps`; `dvnSteps` for DVN): those are results, not settings. What
 * `dvnSteps` also set for training, the length of DVN's tuple runs, is compared as `dvnTrainSteps`.
 */
function withoutChosenSteps(x: Record<string, unknown>): void {
  x.dvnTrainSteps = dvnTupleSteps(x as unknown as HyperParams);
  delete x.testSteps;
  delete x.dvnSteps;
}

/**
 * The hyper-parameter names whose values differ between two runs' settings (arch keys as
 * arch.NAME); the step counts chosen on validation are not compared when both have candidates.
 */
export function hyperParamDiff(a: Partial<HyperParams>, b: Partial<HyperParams>): string[] {
  const x = normalized(a), y = normalized(b);
  if (a.testStepsCandidates?.length && b.testStepsCandidates?.length) withoutChosenSteps(x), withoutChosenSteps(y);
  const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
  const out: string[] = [];
  for (const k of [...keys].sort()) {
    if (k === 'arch') {
      const ax = x.arch as Record<string, unknown>, ay = y.arch as Record<string, unknown>;
      for (const n of [...new Set([...Object.keys(ax), ...Object.keys(ay)])].sort()) {
        if (JSON.stringify(ax[n]) !== JSON.stringify(ay[n])) out.push(`arch.${n}`);
      }
    } else if (JSON.stringify(x[k]) !== JSON.stringify(y[k])) out.push(k);
  }
  return out;
}

export type RunFolderState = 'finished' | 'time-boxed' | 'extended' | 'imported' | 'stale' | 'to-run';

/** The file a time-boxed run's result is kept in when the bench trains it on to more epochs. */
export const timeBoxedResultFile = (epochs: number) => `result.epochs-${epochs}.json`;

/** What a run folder's finished run must share with the run a sweep or bench would start there, besides hp. */
export interface RunIdentity {
  readonly task?: string;
  readonly limit?: Partial<Record<'train' | 'val' | 'test', number>>;
  readonly options?: Readonly<Record<string, string>>;
}

/** The settings besides hp in which a finished run differs from `run` (named as the flags that set them). */
function identityDiff(out: string, existing: ExperimentResult, run: RunIdentity & { method: string }): string[] {
  const diff: string[] = [];
  if (run.task !== undefined && existing.task !== run.task) diff.push(`task ${existing.task}`);
  if (existing.method !== run.method) diff.push(`method ${existing.method}`);
  if (run.limit !== undefined && JSON.stringify(existing.limit ?? {}) !== JSON.stringify(run.limit)) diff.push('--limit-*');
  if (run.options !== undefined) {
    let options: unknown = {};
    try {
      options = JSON.parse(fs.readFileSync(path.join(out, CONFIG_FILE), 'utf8')).options ?? {};
    } catch {
      /* no config: the options cannot be compared */
    }
    const sorted = (o: unknown) => JSON.stringify(Object.entries((o ?? {}) as Record<string, unknown>).sort());
    if (sorted(options) !== sorted(run.options)) diff.push('--opt');
  }
  return diff;
}

/**
 * Makes a bench run's folder agree with the settings the bench would train it with now:
 * - a finished run trained for fewer epochs than the profile's, with the same settings otherwise
 *   (`bench --epochs N`), is 'time-boxed': reported as it is when this bench does not train it;
 *   when it does, a report's record of the full run replaces it ('imported'), or it trains on from
 *   its last checkpoint to the full count ('extended'; its result moves to result.epochs-N.json);
 * - a finished run (result.json) trained with other hyper-parameters is moved aside to
 *   `<folder>.stale-<time>` and trained again ('stale'), so a changed default never passes off an
 *   old result as a new one, unless the report records the run with the current settings;
 * - a missing run that an earlier report recorded with the same settings (its `runs` entry: the
 *   run folders of another machine or session) is restored from it ('imported');
 * - otherwise it is 'finished' or 'to-run' (a cut-off run resumes from its checkpoints).
 * With `readOnly` (`bench --report-only`, or a method `--methods` leaves out) nothing is moved: a
 * stale run stays where it is, still 'stale'.
 */
export function prepareRunFolder(
  out: string,
  run: RunIdentity & { method: string; seed: number; hp: HyperParams },
  recorded: readonly ExperimentResult[],
  log: (m: string) => void,
  opts: { readOnly?: boolean } = {},
): RunFolderState {
  const expected = run.hp;
  const existing = readResult(out);
  if (existing) {
    const diff = [...identityDiff(out, existing, run), ...hyperParamDiff(existing.hp, expected)];
    if (!diff.length) return 'finished';
    const shorter = diff.length === 1 && diff[0] === 'epochs' && existing.hp.epochs < expected.epochs;
    if (shorter && opts.readOnly) {
      log(`${out}: time-boxed to ${existing.hp.epochs} of ${expected.epochs} epochs; reported as it is (\`alen bench --methods ${run.method}\` trains it on)`);
      return 'time-boxed';
    }
    if (opts.readOnly) {
      log(`${out}: trained with other settings (${diff.join(', ')}); left in place and listed as pending (bench without --report-only trains it again)`);
      return 'stale';
    }
    if (shorter && !findRecorded(run, recorded) && fs.existsSync(path.join(out, CHECKPOINT_LAST))) {
      fs.renameSync(path.join(out, RESULT_FILE), path.join(out, timeBoxedResultFile(existing.hp.epochs)));
      log(`${out}: time-boxed to ${existing.hp.epochs} epochs; training on to ${expected.epochs} from its last checkpoint (its result kept as ${timeBoxedResultFile(existing.hp.epochs)})`);
      return 'extended';
    }
    const stamp = `${out}.stale-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    let aside = stamp;
    for (let i = 2; fs.existsSync(aside); i++) aside = `${stamp}-${i}`;
    fs.renameSync(out, aside);
    // A report may already hold this run with the current settings (trained elsewhere): use it.
    if (importRecorded(out, run, recorded)) {
      log(`${out}: trained with other settings (${diff.join(', ')}); moved to ${aside}, replaced by the run the report records`);
      return 'imported';
    }
    log(`${out}: trained with other settings (${diff.join(', ')}); moved to ${aside}, training again`);
    return 'stale';
  }
  if (fs.existsSync(path.join(out, 'checkpoints'))) return 'to-run';
  if (importRecorded(out, run, recorded)) return 'imported';
  // Read-only, a run the report records time-boxed is reported as it was (there is no checkpoint to train on from).
  if (opts.readOnly && importRecorded(out, run, recorded, { timeBoxed: true })) return 'time-boxed';
  return 'to-run';
}

/** The report's record of this run with the current settings, or (timeBoxed) the same settings for fewer epochs. */
function findRecorded(run: { method: string; seed: number; hp: HyperParams }, recorded: readonly ExperimentResult[], opts: { timeBoxed?: boolean } = {}): ExperimentResult | undefined {
  return recorded.find((r) => {
    if (r.method !== run.method || r.seed !== run.seed) return false;
    const diff = hyperParamDiff(r.hp, run.hp);
    return opts.timeBoxed ? diff.length === 1 && diff[0] === 'epochs' && r.hp.epochs < run.hp.epochs : !diff.length;
  });
}

/** Writes the recorded run with these settings into `out` as its result; false when there is none. */
function importRecorded(out: string, run: { method: string; seed: number; hp: HyperParams }, recorded: readonly ExperimentResult[], opts: { timeBoxed?: boolean } = {}): boolean {
  const match = findRecorded(run, recorded, opts);
  if (!match) return false;
  fs.mkdirSync(out, { recursive: true });
  writeFileAtomic(path.join(out, RESULT_FILE), JSON.stringify({ ...match, importedFrom: 'an earlier bench report' }, null, 2) + '\n');
  return true;
}
