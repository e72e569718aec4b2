import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it, beforeAll, afterEach } from 'vitest';
import { alen, stopBackground, tmpDir, TOY } from './helpers.js';

afterEach(stopBackground);

const P = ['--plugin', TOY];
const read = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8'));
const epochEvents = (log: string) =>
  fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.event === 'epoch');

describe('--refit: train again on train + validation with the validated choices', () => {
  const dir = tmpDir();
  const args = ['train', '--task', 'toy', ...P, '--method', 'alen', '--epochs', '5', '--seed', '2', '--set', 'testStepsCandidates=[0,1,3]', '--curve', '0,1,3'];
  const both = path.join(dir, 'both');
  let result: any;

  beforeAll(() => {
    const r = alen([...args, '--out', both, '--refit', '--json']);
    expect(r.code, r.stderr).toBe(0);
    result = read(path.join(both, 'result.json'));
  });

  it('records the refit beside the validated run: all examples, the best epoch\'s count, the chosen steps', () => {
    const f = result.refit;
    expect(f).toBeDefined();
    expect(f.trainSize).toBe(result.sizes.train + result.sizes.val);
    expect(f.epochs).toBe(result.bestEpoch);
    expect(f.steps).toBe(result.hp.testSteps);
    expect(f.test.f1).toBeGreaterThan(0);
    // validation is part of the refit's training data: nothing is tuned on it
    expect(f.test.valF1).toBeUndefined();
    expect(result.test.valF1).toBeCloseTo(result.val.f1, 6);
    expect(f.curve.map((p: { steps: number }) => p.steps)).toEqual([0, 1, 3]);
    expect(f.testInferenceOnly).toEqual(f.curve[0].metrics);
    // the refit trains without validation: one epoch record per epoch, none validated
    const epochs = epochEvents(path.join(both, 'refit', 'log.jsonl'));
    expect(epochs).toHaveLength(f.epochs);
    expect(epochs.every((e) => e.val === undefined && !e.isBest)).toBe(true);
    expect(fs.existsSync(path.join(both, 'refit', 'checkpoints', 'best'))).toBe(false);
  });

  it('the refit model in <out>/refit is what eval scores', () => {
    const r = alen(['eval', '--checkpoint', path.join(both, 'refit'), ...P, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).metrics.f1).toBeCloseTo(result.refit.test.f1, 6);
  });

  it('on a finished run, --resume --refit keeps the validated result and adds the same refit; cut off, it resumes', () => {
    const plain = path.join(dir, 'plain');
    expect(alen([...args, '--out', plain]).code).toBe(0);
    const written = read(path.join(plain, 'result.json'));
    expect(written.refit).toBeUndefined();
    expect(written.test).toEqual(result.test);
    // as a run finished before truthV existed left it: the refit takes the key's default
    delete written.hp.truthV;
    fs.writeFileSync(path.join(plain, 'result.json'), JSON.stringify(written));
    const before = read(path.join(plain, 'result.json'));

    const cut = alen([...args, '--out', plain, '--resume', '--refit', '--stop-after', '1']);
    expect(cut.code, cut.stderr).toBe(0);
    expect(cut.stdout).toMatch(/continue with --resume --refit/);
    expect(read(path.join(plain, 'result.json'))).toEqual(before);

    const done = alen([...args, '--out', plain, '--resume', '--refit']);
    expect(done.code, done.stderr).toBe(0);
    const after = read(path.join(plain, 'result.json'));
    const { refit, ...validated } = after;
    expect(validated).toEqual(before);
    expect(refit.test).toEqual(result.refit.test);
    expect(refit.curve).toEqual(result.refit.curve);
    expect(epochEvents(path.join(plain, 'refit', 'log.jsonl'))).toHaveLength(refit.epochs);

    // nothing left to do: the same command changes nothing
    const again = alen([...args, '--out', plain, '--resume', '--refit']);
    expect(again.code, again.stderr).toBe(0);
    expect(read(path.join(plain, 'result.json'))).toEqual(after);
  });

  it('a finished run trained with other settings is not refitted', () => {
    const r = alen([...args, '--out', both, '--resume', '--refit', '--set', 'lambdaG=0.5']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/trained with other settings \(lambdaG\)/);
    const limited = alen([...args, '--out', both, '--resume', '--refit', '--limit-train', '50']);
    expect(limited.code).not.toBe(0);
    expect(limited.stderr).toMatch(/used the data limits \{\}, not \{"train":50\}/);
  });

  it('bench --refit adds "(train+val)" rows and refits only the methods it trains', () => {
    const runs = path.join(dir, 'runs');
    const first = alen(['bench', '--task', 'toy', ...P, '--seeds', '0', '--out', path.join(dir, 'r1'), '--runs', runs, '--quiet']);
    expect(first.code, first.stderr).toBe(0);
    // a run folder holding its result alone (restored from a report): the refit must not train it again
    const alenDir = path.join(runs, 'quick', 'toy', 'alen-s0');
    const original = read(path.join(alenDir, 'result.json'));
    for (const f of fs.readdirSync(alenDir)) if (f !== 'result.json') fs.rmSync(path.join(alenDir, f), { recursive: true });
    // --report-only starts nothing: the missing refit is listed as pending, the run itself still reported
    const looked = alen(['bench', '--task', 'toy', ...P, '--seeds', '0', '--methods', 'alen', '--refit', '--report-only', '--out', path.join(dir, 'r0'), '--runs', runs, '--quiet']);
    expect(looked.code, looked.stderr).toBe(0);
    expect(fs.existsSync(path.join(alenDir, 'refit'))).toBe(false);
    const onlyReported = read(path.join(dir, 'r0', 'quick', 'toy.json'));
    expect(onlyReported.pending).toEqual(['alen seed 0 (its refit)']);
    expect(onlyReported.rows.map((x: { method: string }) => x.method)).toEqual(['alen', 'infnet(alen)', 'infnet']);
    const r = alen(['bench', '--task', 'toy', ...P, '--seeds', '0', '--methods', 'alen', '--refit', '--out', path.join(dir, 'r2'), '--runs', runs, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const json = read(path.join(dir, 'r2', 'quick', 'toy.json'));
    expect(json.rows.map((x: { method: string }) => x.method)).toEqual(['alen', 'infnet(alen)', 'alen (train+val)', 'infnet(alen) (train+val)', 'infnet']);
    const run = json.runs.find((x: { method: string }) => x.method === 'alen');
    const row = json.rows.find((x: { method: string }) => x.method === 'alen (train+val)');
    expect(row.metrics.f1.values).toEqual([run.refit.test.f1]);
    const { refit: _, ...validated } = read(path.join(alenDir, 'result.json'));
    expect(validated).toEqual(original);
    expect(json.rows.find((x: { method: string }) => x.method === 'infnet').command).not.toMatch(/--refit/);
    expect(row.command).toMatch(/ --refit /);
    expect(json.rows.find((x: { method: string }) => x.method === 'alen').command).not.toMatch(/--refit/);
    expect(json.runs.find((x: { method: string }) => x.method === 'infnet').refit).toBeUndefined();
  });
});
