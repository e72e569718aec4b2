import * as fs from 'node:fs';
import * as path from 'node:path';
import { CORE_DEFAULTS, dvnTupleSteps, writeFileAtomic, type HyperParams } from '@alen/core';
import { RESULT_FILE, type ExperimentResult } from './experiment.js';
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

export type RunFolderState = 'finished' | 'imported' | 'stale' | 'to-run';

/**
 * Makes a bench run's folder agree with the settings the bench would train it with now:
 * - a finished run (result.json) trained with other hyper-parameters is moved aside to
 *   `<folder>.stale-<time>` and trained again ('stale'), so a changed default never passes off an
 *   old result as a new one, unless the report records the run with the current settings;
 * - a missing run that an earlier report recorded with the same settings (its `runs` entry: the
 *   run folders of another machine or session) is restored from it ('imported');
 * - otherwise it is 'finished' or 'to-run' (a cut-off run resumes from its checkpoints).
 * With `readOnly` (`bench --report-only`) a stale run is left where it is, still 'stale'.
 */
export function prepareRunFolder(
  out: string,
  run: { method: string; seed: number; hp: HyperParams },
  recorded: readonly ExperimentResult[],
  log: (m: string) => void,
  opts: { readOnly?: boolean } = {},
): RunFolderState {
  const expected = run.hp;
  const existing = readResult(out);
  if (existing) {
    const diff = hyperParamDiff(existing.hp, expected);
    if (!diff.length) return 'finished';
    if (opts.readOnly) {
      log(`${out}: trained with other settings (${diff.join(', ')}); left in place and listed as pending (bench without --report-only trains it again)`);
      return 'stale';
    }
    const aside = `${out}.stale-${new Date().toISOString().replace(/[:.]/g, '-')}`;
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
  return importRecorded(out, run, recorded) ? 'imported' : 'to-run';
}

/** Writes the recorded run with these settings into `out` as its result; false when there is none. */
function importRecorded(out: string, run: { method: string; seed: number; hp: HyperParams }, recorded: readonly ExperimentResult[]): boolean {
  const match = recorded.find((r) => r.method === run.method && r.seed === run.seed && !hyperParamDiff(r.hp, run.hp).length);
  if (!match) return false;
  fs.mkdirSync(out, { recursive: true });
  writeFileAtomic(path.join(out, RESULT_FILE), JSON.stringify({ ...match, importedFrom: 'an earlier bench report' }, null, 2) + '\n');
  return true;
}
