import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORE_DEFAULTS, type HyperParams } from '@alen/core';
import { hyperParamDiff, prepareRunFolder, timeBoxedResultFile } from '../src/bench-runs.js';
import type { ExperimentResult } from '../src/experiment.js';
import { tmpDir } from './helpers.js';

const base: HyperParams = { ...CORE_DEFAULTS, testStepsCandidates: [0, 5, 10], arch: { hidden: 150 } };

describe('hyperParamDiff (which finished bench runs still match the profile)', () => {
  it('finds changed values and arch options', () => {
    expect(hyperParamDiff(base, { ...base, lr: 0.5 })).toEqual(['lr']);
    expect(hyperParamDiff(base, { ...base, arch: { hidden: 20 } })).toEqual(['arch.hidden']);
    expect(hyperParamDiff(base, { ...base, lrSchedule: [[10, 1]] })).toEqual(['lrSchedule']);
  });

  it('ignores the test-step count chosen on validation, and keys added later at their defaults', () => {
    expect(hyperParamDiff({ ...base, testSteps: 10 }, base)).toEqual([]);
    const { gAdversarialLoss: _, ...older } = base;
    expect(hyperParamDiff(older, base)).toEqual([]);
    expect(hyperParamDiff(older, { ...base, gAdversarialLoss: 'log' })).toEqual(['gAdversarialLoss']);
    // without candidates the test-step count is a setting like any other
    const fixed = { ...base, testStepsCandidates: undefined };
    expect(hyperParamDiff({ ...fixed, testSteps: 10 }, fixed)).toEqual(['testSteps']);
  });

  it("ignores DVN's chosen prediction steps but not the length of its training tuples", () => {
    const dvn = { ...base, dvnSteps: 30, dvnTrainSteps: 60 };
    expect(hyperParamDiff({ ...dvn, dvnSteps: 50 }, dvn)).toEqual([]);
    expect(hyperParamDiff({ ...dvn, dvnSteps: 50, dvnTrainSteps: 40 }, dvn)).toEqual(['dvnTrainSteps']);
    // dvnTrainSteps 0: dvnSteps set the tuples too, and the trainer records that length explicitly
    const short = { ...base, dvnSteps: 20, dvnTrainSteps: 0 };
    expect(hyperParamDiff({ ...short, dvnSteps: 50, dvnTrainSteps: 20 }, short)).toEqual([]);
    expect(hyperParamDiff({ ...short, dvnSteps: 50, dvnTrainSteps: 20 }, { ...short, dvnSteps: 30 })).toEqual(['dvnTrainSteps']);
    const fixed = { ...dvn, testStepsCandidates: undefined };
    expect(hyperParamDiff({ ...fixed, dvnSteps: 50 }, fixed)).toEqual(['dvnSteps']);
  });
});

describe('prepareRunFolder (finished, stale and recorded runs)', () => {
  const result = (hp: HyperParams, value: number) => ({ task: 't', method: 'alen', seed: 1, hp, test: { f1: value } }) as unknown as ExperimentResult;
  const write = (out: string, r: ExperimentResult) => {
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'result.json'), JSON.stringify(r));
  };
  const read = (out: string) => JSON.parse(fs.readFileSync(path.join(out, 'result.json'), 'utf8')) as ExperimentResult & { importedFrom?: string };
  const changed = { ...base, lambdaG: 0.1 };

  it('moves a run trained with other settings aside and trains it again when no report has it', () => {
    const runs = tmpDir();
    const out = path.join(runs, 'alen-s1');
    write(out, result(base, 40));
    const logs: string[] = [];
    expect(prepareRunFolder(out, { method: 'alen', seed: 1, hp: changed }, [], (m) => logs.push(m))).toBe('stale');
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(runs).filter((f) => f.startsWith('alen-s1.stale-'))).toHaveLength(1);
    expect(logs.join('\n')).toMatch(/lambdaG.*training again/);
  });

  it('read-only (bench --report-only) leaves a stale run in place and calls it stale', () => {
    const runs = tmpDir();
    const out = path.join(runs, 'alen-s1');
    write(out, result(base, 40));
    const logs: string[] = [];
    expect(prepareRunFolder(out, { method: 'alen', seed: 1, hp: changed }, [result(changed, 42)], (m) => logs.push(m), { readOnly: true })).toBe('stale');
    expect(fs.readdirSync(runs)).toEqual(['alen-s1']);
    expect(read(out).test).toEqual({ f1: 40 });
    expect(logs.join('\n')).toMatch(/lambdaG.*left in place and listed as pending/);
  });

  it('replaces a stale run by the run a report records with the current settings', () => {
    const runs = tmpDir();
    const out = path.join(runs, 'alen-s1');
    write(out, result(base, 40));
    const logs: string[] = [];
    const recorded = [result(base, 41), result(changed, 42)];
    expect(prepareRunFolder(out, { method: 'alen', seed: 1, hp: changed }, recorded, (m) => logs.push(m))).toBe('imported');
    expect(read(out).test).toEqual({ f1: 42 });
    expect(read(out).importedFrom).toBeDefined();
    expect(JSON.parse(fs.readFileSync(path.join(runs, fs.readdirSync(runs).find((f) => f.includes('.stale-'))!, 'result.json'), 'utf8')).test).toEqual({ f1: 40 });
    expect(logs.join('\n')).toMatch(/replaced by the run the report records/);
  });

  it('keeps a finished run with the current settings and imports a missing one', () => {
    const runs = tmpDir();
    const kept = path.join(runs, 'alen-s1');
    write(kept, result(changed, 40));
    expect(prepareRunFolder(kept, { method: 'alen', seed: 1, hp: changed }, [result(changed, 42)], () => {})).toBe('finished');
    expect(read(kept).test).toEqual({ f1: 40 });
    const missing = path.join(runs, 'alen-s2');
    expect(prepareRunFolder(missing, { method: 'alen', seed: 2, hp: changed }, [result(changed, 42)], () => {})).toBe('to-run');
  });
  it('reports a time-boxed run as it is when read-only, and trains it on from its checkpoint otherwise', () => {
    const runs = tmpDir();
    const out = path.join(runs, 'alen-s1');
    const full = { ...base, epochs: 30 };
    write(out, result({ ...base, epochs: 10 }, 40));
    const logs: string[] = [];
    expect(prepareRunFolder(out, { method: 'alen', seed: 1, hp: full }, [], (m) => logs.push(m), { readOnly: true })).toBe('time-boxed');
    expect(read(out).test).toEqual({ f1: 40 });
    // no checkpoint to train on from: trained again from scratch
    expect(prepareRunFolder(out, { method: 'alen', seed: 1, hp: full }, [], (m) => logs.push(m))).toBe('stale');
    write(out, result({ ...base, epochs: 10 }, 40));
    fs.mkdirSync(path.join(out, 'checkpoints', 'last'), { recursive: true });
    expect(prepareRunFolder(out, { method: 'alen', seed: 1, hp: full }, [], (m) => logs.push(m))).toBe('extended');
    expect(fs.existsSync(path.join(out, 'result.json'))).toBe(false);
    expect(JSON.parse(fs.readFileSync(path.join(out, timeBoxedResultFile(10)), 'utf8')).test).toEqual({ f1: 40 });
    expect(logs.join('\n')).toMatch(/time-boxed to 10 epochs; training on to 30/);
    // a report that records the full run is preferred to training on; a longer run is not time-boxed
    write(out, result({ ...base, epochs: 10 }, 40));
    expect(prepareRunFolder(out, { method: 'alen', seed: 1, hp: full }, [result(full, 45)], () => {})).toBe('imported');
    expect(read(out).test).toEqual({ f1: 45 });
    write(out, result({ ...base, epochs: 40 }, 41));
    expect(prepareRunFolder(out, { method: 'alen', seed: 1, hp: full }, [], () => {}, { readOnly: true })).toBe('stale');
    // a lost folder: read-only, the report's time-boxed record is reported; a bench that trains starts afresh
    const lost = path.join(runs, 'alen-s2');
    const boxed = { ...result({ ...base, epochs: 10 }, 39), seed: 2 } as ExperimentResult;
    expect(prepareRunFolder(lost, { method: 'alen', seed: 2, hp: full }, [boxed], () => {})).toBe('to-run');
    expect(fs.existsSync(lost)).toBe(false);
    expect(prepareRunFolder(lost, { method: 'alen', seed: 2, hp: full }, [boxed], () => {}, { readOnly: true })).toBe('time-boxed');
    expect(read(lost).test).toEqual({ f1: 39 });
  });
});
