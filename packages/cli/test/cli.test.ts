import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, beforeAll, afterEach } from 'vitest';
import { LOCK_FILE } from '@alen/core';
import { alen, alenInBackground, stopBackground, tmpDir, snapshot, TOY, NOT_A_PLUGIN } from './helpers.js';

afterEach(stopBackground);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const P = ['--plugin', TOY];
/** The real data folder beside the repository (tests that need it skip when it is absent). */
const SHARED_DATA = fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const REPORT_TOOL = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'tools', 'results-report.mjs');

describe('alen --help', () => {
  it('lists the commands and explains every flag of train', () => {
    const r = alen(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['tasks', 'train', 'eval', 'predict', 'sweep', 'bench', 'params']) expect(r.stdout).toContain(`alen ${c}`);
    const t = alen(['train', '--help']);
    expect(t.code).toBe(0);
    for (const f of ['--task', '--method', '--eta', '--train-steps', '--test-steps', '--lambda-v', '--beta-v', '--lambda-g', '--resume', '--backend', '--data', '--plugin', '--set']) {
      expect(t.stdout).toContain(f);
    }
  });

  it('a missing command is a usage error with exit code 2', () => {
    const r = alen([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/name a command/);
  });

  it('an unknown flag stops the command before it runs (exit code 2, nothing on stdout)', () => {
    const r = alen(['tasks', '--no-such-flag', '3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Unknown argument/);
    expect(r.stdout).toBe('');
  });
});

describe('alen params', () => {
  type Row = { name: string; value: unknown; source: string; description: string };
  const rowsOf = (r: { stdout: string }) => Object.fromEntries((JSON.parse(r.stdout).params as Row[]).map((p) => [p.name, p]));

  it("shows each resolved hyper-parameter with the layer that set it, as train would run it", () => {
    const r = alen(['params', ...P, '--task', 'toy', '--method', 'dvn', '--eta', '0.25', '--set', 'dvnSteps=7', '--set', 'arch.width=5', '--json']);
    expect(r.code).toBe(0);
    const rows = rowsOf(r);
    expect(rows.epochs).toMatchObject({ value: 8, source: 'task' });
    expect(rows.lr).toMatchObject({ value: 0.01, source: 'task method family' });
    expect(rows.eta).toMatchObject({ value: 0.25, source: 'user' });
    expect(rows.dvnSteps).toMatchObject({ value: 7, source: 'user' });
    expect(rows['arch.width']).toMatchObject({ value: 5, source: 'user' });
    expect(rows.beta1).toMatchObject({ source: 'core' });
    expect(rows.lrG).toMatchObject({ source: 'unset' });
    expect(rows.betaV!.description).toMatch(/AEN/);
    const table = alen(['params', ...P, '--task', 'toy', '--method', 'alen']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/\| epochs \| 8 \| task \|/);
    expect(table.stdout).toMatch(/precedence: core < /);
  });

  it('refuses an unknown task, method or hyper-parameter with exit code 1', () => {
    expect(alen(['params', ...P, '--task', 'nope']).stderr).toMatch(/unknown task 'nope'/);
    const m = alen(['params', ...P, '--task', 'toy', '--method', 'foo']);
    expect([m.code, m.stderr]).toEqual([1, expect.stringMatching(/unknown method 'foo'/)]);
    const h = alen(['params', ...P, '--task', 'toy', '--set', 'etaa=1']);
    expect([h.code, h.stderr]).toEqual([1, expect.stringMatching(/unknown hyper-parameter 'etaa'/)]);
    const out = path.join(tmpDir(), 'never');
    const l = alen(['train', ...P, '--task', 'toy', '--limit-val', '0', '--out', out]);
    expect([l.code, l.stderr]).toEqual([1, expect.stringMatching(/--limit-val must be a positive integer, got 0/)]);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('plugins and bad input', () => {
  it('a --plugin module registers its task', () => {
    const r = alen(['tasks', ...P, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).tasks.map((t: { name: string }) => t.name)).toContain('toy');
  });

  it('an installed package that declares itself a plugin is found without --plugin', () => {
    const dir = tmpDir();
    const pkg = path.join(dir, 'node_modules', 'alen-plugin-toy');
    fs.mkdirSync(pkg, { recursive: true });
    fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'alen-plugin-toy', type: 'module', main: 'index.js', alen: { plugin: true } }));
    fs.writeFileSync(path.join(pkg, 'index.js'), `export * from ${JSON.stringify(TOY)};\n`);
    const r = alen(['tasks', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).tasks.map((t: { name: string }) => t.name)).toContain('toy');
  });

  it('an unknown task names the registered ones', () => {
    const r = alen(['train', '--task', 'nope', ...P, '--out', path.join(tmpDir(), 'run')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown task 'nope'\. Registered tasks: .*toy/);
  });

  it('an unknown method is refused with the list of methods', () => {
    const r = alen(['train', '--task', 'toy', '--method', 'gan', ...P]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/unknown method 'gan'.*alen, aen, alen-no-task, alen-dvn, infnet, dvn/);
  });

  it('a plugin module that does not export a task is a clear error', () => {
    const r = alen(['tasks', '--plugin', NOT_A_PLUGIN]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/does not export a task/);
  });

  it('a plugin path that does not exist is a clear error', () => {
    const r = alen(['tasks', '--plugin', './no/such/plugin.js']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no such file or folder/);
  });

  it('a plugin that throws on import is named with the file and line that threw', () => {
    const file = path.join(tmpDir(), 'throws.mjs');
    fs.writeFileSync(file, 'const cfg = undefined;\nexport const tasks = [cfg.hidden];\n');
    const r = alen(['tasks', '--plugin', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`failed to load: TypeError: Cannot read properties of undefined (reading 'hidden') (at ${file}:2:`);
  });

  it('a task named like an installed one names the plugin that holds the name', () => {
    const file = path.join(tmpDir(), 'clash.mjs');
    fs.writeFileSync(file, `import { toyTask } from ${JSON.stringify(TOY)};\nexport const tasks = [{ ...toyTask, name: 'bibtex' }];\n`);
    const r = alen(['tasks', '--plugin', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/task 'bibtex' of .*clash\.mjs is already registered by @alen\/multilabel/);
  });

  it('a task object with a misspelled hook is refused, naming the key', () => {
    const file = path.join(tmpDir(), 'typo.mjs');
    fs.writeFileSync(file, `import { toyTask } from ${JSON.stringify(TOY)};\nexport const tasks = [{ ...toyTask, name: 'typo', writeOuput: () => {} }];\n`);
    const r = alen(['tasks', '--plugin', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/task 'typo': unknown key writeOuput \(a misspelled hook\?\)/);
  });

  it('eval of a plugin task without --plugin says which plugin the run was trained with', () => {
    const out = path.join(tmpDir(), 'run');
    expect(alen(['train', '--task', 'toy', ...P, '--epochs', '1', '--no-test', '--quiet', '--out', out]).code).toBe(0);
    const r = alen(['eval', '--checkpoint', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`unknown task 'toy'`);
    expect(r.stderr).toContain(`The run was trained with --plugin ${TOY}: pass it again`);
  });

  it('an unknown hyper-parameter in --set is refused', () => {
    const r = alen(['train', '--task', 'toy', ...P, '--set', 'etaa=1', '--out', path.join(tmpDir(), 'run')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown hyper-parameter 'etaa'/);
  });
});

describe('train → eval → predict on a run folder', () => {
  const dir = tmpDir();
  const run = path.join(dir, 'run');
  let result: { test: { f1: number; valF1: number }; val: { f1: number }; hp: { testSteps: number } };

  beforeAll(() => {
    const r = alen(['train', '--task', 'toy', ...P, '--method', 'alen', '--epochs', '4', '--out', run, '--set', 'testStepsCandidates=[0,1,3]']);
    expect(r.code, r.stderr).toBe(0);
    result = JSON.parse(fs.readFileSync(path.join(run, 'result.json'), 'utf8'));
  });

  it('writes the run folder: config, JSON-lines log, checkpoints, final model, result', () => {
    for (const f of ['config.json', 'log.jsonl', 'checkpoints/last/model.json', 'checkpoints/last/training.json', 'checkpoints/best/weights.bin', 'model/model.json', 'result.json']) {
      expect(fs.existsSync(path.join(run, f)), f).toBe(true);
    }
    const lines = fs.readFileSync(path.join(run, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.event === 'epoch')).toHaveLength(4);
    expect(lines.at(-1).event).toBe('end');
    expect([0, 1, 3]).toContain(result.hp.testSteps);
  });

  it('eval on the run folder reproduces the test metric of training', () => {
    const r = alen(['eval', '--checkpoint', run, ...P, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).metrics.f1).toBeCloseTo(result.test.f1, 6);
    // the task's validation-tuned metrics were handed the model's validation predictions at its chosen steps
    expect(result.test.valF1).toBeCloseTo(result.val.f1, 6);
    expect(JSON.parse(r.stdout).metrics.valF1).toBeCloseTo(result.val.f1, 6);
    // result.val comes from the trainer's step selection, not a pass of its own: a fresh pass agrees
    const val = alen(['eval', '--checkpoint', run, ...P, '--split', 'val', '--json']);
    expect(val.code, val.stderr).toBe(0);
    expect(JSON.parse(val.stdout).metrics.f1).toBeCloseTo(result.val.f1, 6);
  });

  it('eval --set changes inference settings only: the same steps reproduce, others differ, training settings are refused', () => {
    const steps = alen(['eval', '--checkpoint', run, ...P, '--json', '--set', `testSteps=${result.hp.testSteps}`]);
    expect(steps.code, steps.stderr).toBe(0);
    expect(JSON.parse(steps.stdout).metrics.f1).toBeCloseTo(result.test.f1, 6);
    const curve = (set: string[]) => JSON.parse(alen(['eval', '--checkpoint', run, ...P, '--json', '--curve', '5', ...set]).stdout).curve[0].metrics.f1;
    expect(curve(['--set', 'eta=5'])).not.toBeCloseTo(curve(['--set', 'eta=0.01']), 6);
    const bad = alen(['eval', '--checkpoint', run, ...P, '--set', 'lr=0.1']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/lr: not an inference setting; a trained model takes only eta, testSteps/);
  });

  it('predict reads CSV rows and writes one output row per input', () => {
    const input = path.join(dir, 'in.csv');
    fs.writeFileSync(input, 'a,b,c,d,e,f,g,h\n' + '0.5,-0.2,0.1,0.9,-0.9,0.3,0.2,0\n' + '-1,1,-1,1,-1,1,-1,1\n');
    const out = path.join(dir, 'out.csv');
    const r = alen(['predict', '--checkpoint', run, ...P, '--input', input, '--output', out]);
    expect(r.code, r.stderr).toBe(0);
    const rows = fs.readFileSync(out, 'utf8').trim().split('\n');
    expect(rows).toHaveLength(3);
    expect(rows[1]!.split(',')).toHaveLength(6);
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(bad, '1,2,3\n');
    const rb = alen(['predict', '--checkpoint', run, ...P, '--input', bad, '--output', path.join(dir, 'o2.csv')]);
    expect(rb.code).toBe(1);
    expect(rb.stderr).toMatch(/bad\.csv:1: expected 8 values, found 3/);
  });

  it('predict refuses to write over its input, a negative --steps, and a CSV with no rows of numbers', () => {
    const input = path.join(dir, 'keep.csv');
    const text = '0.5,-0.2,0.1,0.9,-0.9,0.3,0.2,0\n';
    fs.writeFileSync(input, text);
    const same = alen(['predict', '--checkpoint', run, ...P, '--input', input, '--output', input]);
    expect(same.code).toBe(1);
    expect(same.stderr).toMatch(/--output .*keep\.csv is the input itself/);
    expect(fs.readFileSync(input, 'utf8')).toBe(text);

    const steps = alen(['predict', '--checkpoint', run, ...P, '--input', input, '--output', path.join(dir, 'o3.csv'), '--steps', '-1']);
    expect(steps.code).toBe(1);
    expect(steps.stderr).toMatch(/BAD_CONFIG.*--steps must be a whole number ≥ 0, got -1/);

    // inference settings as in eval: other step counts change the outputs, training settings are refused
    const at = (set: string[]) => {
      const o = path.join(dir, `o-${set.join('-').replace(/[^\w-]/g, '')}.csv`);
      const r = alen(['predict', '--checkpoint', run, ...P, '--input', input, '--output', o, ...set]);
      expect(r.code, r.stderr).toBe(0);
      return fs.readFileSync(o, 'utf8');
    };
    expect(at(['--set', 'testSteps=0', '--set', 'eta=2'])).not.toBe(at(['--set', 'testSteps=5', '--set', 'eta=2']));
    const lr = alen(['predict', '--checkpoint', run, ...P, '--input', input, '--output', path.join(dir, 'o5.csv'), '--set', 'lr=0.1']);
    expect(lr.code).toBe(1);
    expect(lr.stderr).toMatch(/lr: not an inference setting/);

    const typo = path.join(dir, 'typo.csv');
    fs.writeFileSync(typo, '0.5,-0.2,x,0.9,-0.9,0.3,0.2,0\n');
    const header = alen(['predict', '--checkpoint', run, ...P, '--input', typo, '--output', path.join(dir, 'o4.csv')]);
    expect(header.code).toBe(1);
    expect(header.stderr).toMatch(/typo\.csv: no rows of numbers to predict for: its only line was taken as a header/);
    expect(fs.existsSync(path.join(dir, 'o4.csv'))).toBe(false);
  });

  it.skipIf(!fs.existsSync(path.join(SHARED_DATA, 'bibtex')))('predict hands --data to the task: a bibtex model saved without its task state still predicts', () => {
    const bib = path.join(dir, 'bibtex-run');
    const t = alen(['train', '--task', 'bibtex', '--method', 'infnet', '--epochs', '1', '--limit-train', '200', '--limit-val', '50', '--limit-test', '50', '--data', SHARED_DATA, '--out', bib, '--quiet']);
    expect(t.code, t.stderr).toBe(0);
    const lines = fs.readFileSync(path.join(SHARED_DATA, 'bibtex', 'bibtex-test.arff'), 'utf8').split('\n');
    const dataAt = lines.findIndex((l) => /^@data/i.test(l.trim()));
    const input = path.join(dir, 'five.arff');
    fs.writeFileSync(input, lines.slice(0, dataAt + 6).join('\n') + '\n');
    const predict = (out: string, data: string) => alen(['predict', '--checkpoint', bib, '--data', data, '--input', input, '--output', out]);
    const withState = predict(path.join(dir, 'with-state.csv'), SHARED_DATA);
    expect(withState.code, withState.stderr).toBe(0);
    // an older checkpoint without taskState: the statistics come from the training file under --data
    const modelJson = path.join(bib, 'model', 'model.json');
    const m = JSON.parse(fs.readFileSync(modelJson, 'utf8'));
    delete m.modelTopology.taskState;
    fs.writeFileSync(modelJson, JSON.stringify(m));
    const rebuilt = predict(path.join(dir, 'rebuilt.csv'), SHARED_DATA);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'rebuilt.csv'), 'utf8')).toBe(fs.readFileSync(path.join(dir, 'with-state.csv'), 'utf8'));
    expect(fs.readFileSync(path.join(dir, 'rebuilt.csv'), 'utf8').trim().split('\n')).toHaveLength(6);
    const empty = tmpDir();
    const missing = predict(path.join(dir, 'missing.csv'), empty);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/MISSING_DATA.*bibtex\.xml/);
  });

  it('training into an existing run folder without --resume is refused and changes nothing', () => {
    const before = snapshot(run);
    const r = alen(['train', '--task', 'toy', ...P, '--out', run]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/already holds a training run; pass --resume/);
    expect(snapshot(run)).toEqual(before);
  });

  it('a checkpoint missing a file or with a corrupt model.json is an error and the run folder is left as it was', () => {
    const copy = path.join(dir, 'copy');
    fs.cpSync(run, copy, { recursive: true });
    fs.rmSync(path.join(copy, 'model', 'weights.bin'));
    let before = snapshot(copy);
    let r = alen(['eval', '--checkpoint', path.join(copy, 'model'), ...P]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/missing weights\.bin/);
    expect(snapshot(copy)).toEqual(before);
    fs.writeFileSync(path.join(copy, 'model', 'model.json'), '{ not json');
    before = snapshot(copy);
    r = alen(['eval', '--checkpoint', copy, ...P]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/model\.json is not valid JSON/);
    expect(snapshot(copy)).toEqual(before);
    r = alen(['eval', '--checkpoint', path.join(dir, 'nowhere'), ...P]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no such folder/);
  });
});

describe('interrupted runs resume', () => {
  it('--stop-after then --resume ends where an uninterrupted run ends', () => {
    const dir = tmpDir();
    const args = ['train', '--task', 'toy', ...P, '--method', 'dvn', '--epochs', '4', '--seed', '3', '--json'];
    const full = alen([...args, '--out', path.join(dir, 'full')]);
    expect(full.code, full.stderr).toBe(0);
    const cut = alen([...args, '--out', path.join(dir, 'cut'), '--stop-after', '2']);
    expect(cut.code, cut.stderr).toBe(0);
    expect(fs.existsSync(path.join(dir, 'cut', 'result.json'))).toBe(false);
    const resumed = alen([...args, '--out', path.join(dir, 'cut'), '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout).test).toEqual(JSON.parse(full.stdout).test);
  });

  it('a run folder in use by a live process is refused untouched; a lock left by a dead process is taken over', () => {
    const dir = tmpDir();
    const args = ['train', '--task', 'toy', ...P, '--method', 'dvn', '--epochs', '3', '--seed', '3', '--json', '--out', dir];
    expect(alen([...args, '--stop-after', '1']).code).toBe(0);
    const lock = path.join(dir, '.lock');
    expect(fs.existsSync(lock)).toBe(false);
    fs.writeFileSync(lock, `${process.pid} ${os.hostname()}\n`);
    const before = snapshot(dir);
    const busy = alen([...args, '--resume']);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(new RegExp(`in use by process ${process.pid}`));
    expect(snapshot(dir)).toEqual(before);
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    fs.writeFileSync(lock, `${dead} ${os.hostname()}\n`);
    const resumed = alen([...args, '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout).epochsRun).toBe(3);
    expect(fs.existsSync(lock)).toBe(false);
  });
});

describe('sweep and bench', () => {
  it('sweep runs a grid on validation in parallel processes and writes a table', () => {
    const out = path.join(tmpDir(), 'sweep');
    const r = alen(['sweep', '--task', 'toy', ...P, '--grid', 'eta=0.5,2', '--epochs', '2', '--jobs', '2', '--out', out, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'sweep.json'), 'utf8'));
    expect(json.split).toBe('val');
    expect(json.rows).toHaveLength(2);
    expect(json.rows.map((x: { config: { eta: number } }) => x.config.eta).sort()).toEqual([0.5, 2]);
    expect(json.rows[0].val).toBeGreaterThanOrEqual(json.rows[1].val);
    expect(fs.readFileSync(path.join(out, 'sweep.md'), 'utf8')).toMatch(/\| eta \| val f1 \(mean\)/);
  });

  it('a later sweep in the same folder reuses only runs with the same settings', () => {
    const out = path.join(tmpDir(), 'sweep');
    const base = ['sweep', '--task', 'toy', ...P, '--epochs', '2', '--jobs', '1', '--out', out, '--quiet'];
    expect(alen([...base, '--grid', 'eta=0.5,2']).code).toBe(0);
    const again = alen([...base, '--grid', 'eta=2,4']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/1 of 2 runs reused/);
    const changed = alen([...base, '--grid', 'eta=2', '--set', 'lambdaG=0.5']);
    expect(changed.code, changed.stderr).toBe(0);
    expect(changed.stdout).not.toMatch(/reused/);
    expect(changed.stderr).toMatch(/trained with other settings \(lambdaG/);
    expect(fs.readdirSync(out).some((f) => f.startsWith('eta=2-s0.stale-'))).toBe(true);
  });

  it('a signal that stops a sweep stops its trainers and starts no further run', async () => {
    const out = path.join(tmpDir(), 'sweep');
    const { child, stderr, exited } = alenInBackground(['sweep', '--task', 'toy', ...P, '--grid', 'eta=0.5,2', '--epochs', '100000', '--jobs', '1', '--out', out, '--quiet']);
    const lock = path.join(out, 'eta=0.5-s0', LOCK_FILE);
    const epochLogged = () => fs.existsSync(path.join(out, 'eta=0.5-s0', 'log.jsonl')) && fs.readFileSync(path.join(out, 'eta=0.5-s0', 'log.jsonl'), 'utf8').includes('"epoch"');
    for (let t = 0; t < 600 && !(fs.existsSync(lock) && epochLogged()); t++) await sleep(100);
    const trainerPid = Number(fs.readFileSync(lock, 'utf8').split(' ')[0]);
    expect(isAlive(trainerPid)).toBe(true);
    child.kill('SIGTERM');
    expect(await exited).toBe(130);
    expect(stderr()).toMatch(/stopped by SIGTERM after 0 of 2 runs; the same command resumes/);
    for (let t = 0; t < 50 && isAlive(trainerPid); t++) await sleep(100);
    expect(isAlive(trainerPid)).toBe(false);
    expect(fs.existsSync(path.join(out, 'eta=2-s0'))).toBe(false);
  });

  it('--resume keeps the run\'s seed and epochs unless given again', () => {
    const out = path.join(tmpDir(), 'run');
    const first = alen(['train', '--task', 'toy', ...P, '--seed', '3', '--epochs', '6', '--stop-after', '1', '--no-test', '--out', out, '--quiet']);
    expect(first.code, first.stderr).toBe(0);
    const other = alen(['train', '--task', 'toy', ...P, '--seed', '4', '--resume', '--out', out, '--quiet']);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/was trained with seed 3, not 4: drop --seed to resume it/);
    const resumed = alen(['train', '--task', 'toy', ...P, '--resume', '--stop-after', '2', '--no-test', '--out', out, '--quiet']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));
    expect([config.seed, config.hp.epochs]).toEqual([3, 6]);
  });

  it('sweep refuses bad --jobs and --epochs, a --grid key given twice or also fixed, and empty grid values', () => {
    const out = path.join(tmpDir(), 'sweep');
    const sweep = (...extra: string[]) => alen(['sweep', '--task', 'toy', ...P, '--out', out, ...extra]);
    for (const [args, msg] of [
      [['--grid', 'eta=1', '--jobs', '0'], /--jobs must be a positive integer, got 0/],
      [['--grid', 'eta=1', '--epochs', '0'], /--epochs must be a positive integer, got 0/],
      [['--grid', 'eta=1', '--grid', 'eta=2'], /--grid eta is given twice/],
      [['--grid', 'eta=0.5,1', '--set', 'eta=2'], /eta is both swept \(--grid\) and fixed \(--set\)/],
      [['--grid', 'eta=1,,2'], /--grid eta: an empty value/],
    ] as const) {
      const r = sweep(...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(msg);
    }
    expect(fs.existsSync(out)).toBe(false);
  });

  it('a sweep folder reused with other data limits trains its runs again', () => {
    const out = path.join(tmpDir(), 'sweep');
    const run = (limit: string) => alen(['sweep', '--task', 'toy', ...P, '--grid', 'eta=1,1', '--epochs', '1', '--limit-train', limit, '--jobs', '1', '--out', out]);
    const first = run('60');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/1 configurations/);
    expect(run('60').stderr).toMatch(/\(reused\)/);
    const other = run('40');
    expect(other.code, other.stderr).toBe(0);
    expect(other.stderr).toMatch(/trained with other settings \(--limit-\*\); moved to/);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'eta=1-s0', 'result.json'), 'utf8')).sizes.train).toBe(40);
  });

  it('sweep prints status lines on its running jobs (--status-every), and rejects a negative period', async () => {
    const out = path.join(tmpDir(), 'sweep');
    const { child, stderr, exited } = alenInBackground(['sweep', '--task', 'toy', ...P, '--grid', 'eta=0.5', '--epochs', '100000', '--jobs', '1', '--status-every', '0.2', '--out', out]);
    for (let t = 0; t < 600 && !/\{"eta":0\.5\} seed 0: epoch \d+\/100000, /.test(stderr()); t++) await sleep(100);
    child.kill('SIGTERM');
    await exited;
    expect(stderr()).toMatch(/ {2}\{"eta":0\.5\} seed 0: epoch \d+\/100000, val f1 [\d.]+ at epoch \d+, ~\d+ (h|min)/);
    const quietOut = path.join(tmpDir(), 'sweep');
    const bad = alen(['sweep', '--task', 'toy', ...P, '--grid', 'eta=0.5', '--status-every', '-1', '--out', quietOut]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--status-every must be a number of seconds ≥ 0/);
    expect(fs.existsSync(quietOut)).toBe(false);
  });

  it('bench writes JSON and markdown with paper values and reproduce commands', () => {
    const dir = tmpDir();
    const r = alen(['bench', '--task', 'toy', ...P, '--out', path.join(dir, 'results'), '--runs', path.join(dir, 'runs'), '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'results', 'quick', 'toy.json'), 'utf8'));
    expect(json.rows.map((x: { method: string }) => x.method)).toEqual(['alen', 'infnet(alen)', 'infnet']);
    const alenRow = json.rows[0];
    expect(alenRow.metrics.f1.values).toHaveLength(2);
    expect(alenRow.paper).toEqual({ f1: 50 });
    expect(alenRow.delta.f1).toBeCloseTo(alenRow.metrics.f1.mean - 50, 6);
    expect(alenRow.command).toMatch(/^npx alen train --task toy --method alen/);
    for (const run of json.runs) {
      expect(run.command).not.toContain(dir); // no path of this machine in a committed report
      for (const k of ['trainSeconds', 'stepsPerSecond', 'inferenceExamplesPerSecond', 'peakRssMB', 'numTensorsEnd', 'hardware', 'backend', 'seed']) expect(run[k], k).toBeDefined();
    }
    expect(json.curves.alen.length).toBeGreaterThan(5);
    // the test prediction is read off the curve's ascent: the curve at the run's own step count is its test score
    const alenRun = json.runs.find((x: { method: string }) => x.method === 'alen');
    const atTestSteps = alenRun.curve.find((p: { steps: number }) => p.steps === alenRun.hp.testSteps);
    expect(atTestSteps, `curve has no point at testSteps ${alenRun.hp.testSteps}`).toBeDefined();
    expect(alenRun.test).toEqual({ ...atTestSteps.metrics, valF1: expect.closeTo(alenRun.val.f1, 6) });
    expect(alenRow.metrics.valF1.values).toHaveLength(2);
    expect(alenRun.curve[0].steps).toBe(0);
    expect(alenRun.curve[0].metrics).toEqual(alenRun.testInferenceOnly);
    const md = fs.readFileSync(path.join(dir, 'results', 'quick', 'toy.md'), 'utf8');
    expect(md).toMatch(/\| alen \| .* ± /);
    // per-epoch training curves, averaged over seeds
    expect(json.trainingCurves.alen.map((p: { epoch: number }) => p.epoch)).toEqual(json.runs.find((x: { method: string }) => x.method === 'alen').history.map((h: { epoch: number }) => h.epoch));
    expect(Object.keys(json.trainingCurves.alen[0].losses)).toEqual(expect.arrayContaining(['lossV', 'lossG']));

    // --report-only starts nothing: a seed without a finished run is listed as pending
    const ro = alen(['bench', '--task', 'toy', ...P, '--seeds', '0', '1', '7', '--report-only', '--out', path.join(dir, 'ro'), '--runs', path.join(dir, 'runs'), '--quiet']);
    expect(ro.code, ro.stderr).toBe(0);
    const roJson = JSON.parse(fs.readFileSync(path.join(dir, 'ro', 'quick', 'toy.json'), 'utf8'));
    expect(roJson.pending).toEqual(['alen seed 7', 'infnet seed 7']);
    expect(fs.existsSync(path.join(dir, 'runs', 'quick', 'toy', 'alen-s7'))).toBe(false);
    expect(roJson.rows[0].metrics.f1.values).toHaveLength(2);
    expect(fs.readFileSync(path.join(dir, 'ro', 'quick', 'toy.md'), 'utf8')).toMatch(/Pending runs .*alen seed 7/);

    // --methods trains only those methods; the others stay in the report from their finished runs
    const only = alen(['bench', '--task', 'toy', ...P, '--methods', 'infnet', '--seeds', '0', '1', '7', '--out', path.join(dir, 'only'), '--runs', path.join(dir, 'runs')]);
    expect(only.code, only.stderr).toBe(0);
    expect(only.stderr).toMatch(/\[5\/5\] /);
    expect(fs.existsSync(path.join(dir, 'runs', 'quick', 'toy', 'infnet-s7', 'result.json'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'runs', 'quick', 'toy', 'alen-s7'))).toBe(false);
    const onlyJson = JSON.parse(fs.readFileSync(path.join(dir, 'only', 'quick', 'toy.json'), 'utf8'));
    expect(onlyJson.rows.map((x: { method: string }) => x.method)).toEqual(['alen', 'infnet(alen)', 'infnet']);
    expect(onlyJson.pending).toEqual(['alen seed 7']);
    const badList = alen(['bench', '--task', 'toy', ...P, '--methods', 'infnet,nope', '--out', path.join(dir, 'bad'), '--runs', path.join(dir, 'runs')]);
    expect(badList.code).toBe(1);
    expect(badList.stderr).toMatch(/unknown method 'nope'/);

    // --epochs time-boxes the selected methods only: their rows and commands show it
    const boxed = alen(['bench', '--task', 'toy', ...P, '--methods', 'infnet', '--epochs', '1', '--seeds', '0', '--out', path.join(dir, 'boxed'), '--runs', path.join(dir, 'boxed-runs'), '--quiet']);
    expect(boxed.code, boxed.stderr).toBe(0);
    const boxedJson = JSON.parse(fs.readFileSync(path.join(dir, 'boxed', 'quick', 'toy.json'), 'utf8'));
    const boxedRow = boxedJson.rows.find((x: { method: string }) => x.method === 'infnet');
    expect(boxedRow.epochs).toBe(1);
    expect(boxedRow.command).toMatch(/--set epochs=1/);
    expect(boxedJson.pending).toEqual(['alen seed 0']);
    // A bench that does not train the time-boxed method reports its run as it is...
    const boxedRuns = path.join(dir, 'boxed-runs');
    const boxedRun = path.join(boxedRuns, 'quick', 'toy', 'infnet-s0');
    const boxedResult = JSON.parse(fs.readFileSync(path.join(boxedRun, 'result.json'), 'utf8'));
    const kept = alen(['bench', '--task', 'toy', ...P, '--methods', 'alen', '--report-only', '--seeds', '0', '--out', path.join(dir, 'boxed-ro'), '--runs', boxedRuns]);
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.stderr).toMatch(/time-boxed to 1 of 3 epochs; reported as it is/);
    const keptRow = JSON.parse(fs.readFileSync(path.join(dir, 'boxed-ro', 'quick', 'toy.json'), 'utf8')).rows.find((x: { method: string }) => x.method === 'infnet');
    expect(keptRow.epochs).toBe(1);
    // ...and one that asks for more epochs trains it on from its last checkpoint, not from scratch
    const longer = alen(['bench', '--task', 'toy', ...P, '--methods', 'infnet', '--epochs', '2', '--seeds', '0', '--out', path.join(dir, 'boxed'), '--runs', boxedRuns]);
    expect(longer.code, longer.stderr).toBe(0);
    expect(longer.stderr).toMatch(/time-boxed to 1 epochs; training on to 2 from its last checkpoint/);
    const longerResult = JSON.parse(fs.readFileSync(path.join(boxedRun, 'result.json'), 'utf8'));
    expect(longerResult.history.map((h: { epoch: number }) => h.epoch)).toEqual([1, 2]);
    expect(longerResult.history[0]).toEqual(boxedResult.history[0]);
    expect(JSON.parse(fs.readFileSync(path.join(boxedRun, 'result.epochs-1.json'), 'utf8')).hp.epochs).toBe(1);
    const badEpochs = alen(['bench', '--task', 'toy', ...P, '--methods', 'infnet', '--epochs', '0', '--out', path.join(dir, 'bad'), '--runs', path.join(dir, 'runs')]);
    expect(badEpochs.code).toBe(1);
    expect(badEpochs.stderr).toMatch(/--epochs must be a positive integer/);

    // A run folder lost (another machine) is restored from the report when its settings match;
    // a finished run whose settings differ from the profile's is moved aside and trained again.
    const runs = path.join(dir, 'runs', 'quick', 'toy');
    const before = JSON.parse(fs.readFileSync(path.join(runs, 'alen-s0', 'result.json'), 'utf8'));
    fs.rmSync(path.join(runs, 'alen-s0'), { recursive: true });
    const stale = JSON.parse(fs.readFileSync(path.join(runs, 'infnet-s1', 'result.json'), 'utf8'));
    fs.writeFileSync(path.join(runs, 'infnet-s1', 'result.json'), JSON.stringify({ ...stale, hp: { ...stale.hp, lr: 0.5 } }));
    const again = alen(['bench', '--task', 'toy', ...P, '--out', path.join(dir, 'results'), '--runs', path.join(dir, 'runs')]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/alen seed 0: finished run taken from/);
    expect(again.stderr).toMatch(/infnet-s1: trained with other settings \(lr\)/);
    const restored = JSON.parse(fs.readFileSync(path.join(runs, 'alen-s0', 'result.json'), 'utf8'));
    expect(restored.test).toEqual(before.test);
    expect(fs.existsSync(path.join(runs, 'alen-s0', 'checkpoints'))).toBe(false);
    expect(fs.readdirSync(runs).filter((f) => f.startsWith('infnet-s1.stale-'))).toHaveLength(1);
    expect(JSON.parse(fs.readFileSync(path.join(runs, 'infnet-s1', 'result.json'), 'utf8')).hp.lr).toBe(stale.hp.lr);

    // --report-only moves nothing: a stale run stays where it is and is listed as pending
    const s0 = path.join(runs, 'infnet-s0', 'result.json');
    const fresh = JSON.parse(fs.readFileSync(s0, 'utf8'));
    fs.writeFileSync(s0, JSON.stringify({ ...fresh, hp: { ...fresh.hp, lr: 0.5 } }));
    const roStale = alen(['bench', '--task', 'toy', ...P, '--report-only', '--out', path.join(dir, 'ro-stale'), '--runs', path.join(dir, 'runs')]);
    expect(roStale.code, roStale.stderr).toBe(0);
    expect(roStale.stderr).toMatch(/infnet-s0: trained with other settings \(lr\); left in place/);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'ro-stale', 'quick', 'toy.json'), 'utf8')).pending).toEqual(['infnet seed 0']);
    expect(fs.readdirSync(runs).filter((f) => f.startsWith('infnet-s0.stale-'))).toHaveLength(0);
    fs.writeFileSync(s0, JSON.stringify(fresh));

    // the report tool merges it into results.md and draws the figures as real PNG images
    const report = spawnSync(process.execPath, [REPORT_TOOL, '--results', path.join(dir, 'results'), '--out', path.join(dir, 'results.md'), '--figures', path.join(dir, 'figures')], { encoding: 'utf8' });
    expect(report.status, report.stderr).toBe(0);
    const merged = fs.readFileSync(path.join(dir, 'results.md'), 'utf8');
    expect(merged).toMatch(/## toy — quick profile/);
    expect(merged).toMatch(/\| alen \| 2 \| /);
    const figures = fs.readdirSync(path.join(dir, 'figures')).sort();
    expect(figures).toEqual(['toy-quick-ascent-steps.png', 'toy-quick-training-loss.png', 'toy-quick-validation.png']);
    for (const f of figures) {
      expect(merged).toContain(`figures/${f}`);
      const png = fs.readFileSync(path.join(dir, 'figures', f));
      expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      expect(png.readUInt32BE(16)).toBeGreaterThan(300); // IHDR width
      expect(png.readUInt32BE(20)).toBeGreaterThan(200); // IHDR height
    }
  });
});
