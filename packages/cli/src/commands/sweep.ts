import * as path from 'node:path';
import type { CommandModule } from 'yargs';
import { AlenError, METHODS, assertMethod, getTask, resolveHyperParams, writeFileAtomic } from '@alen/core';
import { globalChildArgs, globalOptions, limitOptions, setup, log, parseSeeds, quoteArgs, limitFrom, positiveIntFlag, statusOptions, type GlobalArgs } from './common.js';
import { mergeOverrides, parseOptions, parseSets, parseValue } from '../overrides.js';
import { prepareRunFolder } from '../bench-runs.js';
import { runJobs, type Job } from '../pool.js';
import { markdownTable, mean } from '../format.js';

interface SweepArgs extends GlobalArgs {
  task: string;
  method: string;
  grid: string[];
  set: string[];
  seeds: number[];
  epochs?: number;
  jobs: number;
  statusEvery: number;
  out?: string;
  opt: string[];
  limitTrain?: number;
  limitVal?: number;
  limitTest?: number;
}

/**
 * A configuration's run folder is named by its values, so a later sweep with another grid in the
 * same folder reuses only the runs it shares (and prepareRunFolder sets aside any whose settings
 * changed, e.g. another --set).
 */
function folderName(c: Record<string, unknown>, i: number): string {
  const name = Object.entries(c)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(',')
    .replace(/[^A-Za-z0-9=.,_+-]/g, '_');
  return name && name.length <= 100 ? name : `c${i}`;
}

/** `key=v1,v2,...` (or `;`-separated when values contain commas) into [key, values]. */
export function parseGrid(spec: string): [string, unknown[]] {
  const eq = spec.indexOf('=');
  if (eq < 1) throw new AlenError('BAD_CONFIG', `--grid expects key=v1,v2,..., got '${spec}'`);
  const body = spec.slice(eq + 1);
  const parts = body.includes(';') ? body.split(';') : body.split(',');
  return [spec.slice(0, eq).trim(), parts.map((p) => parseValue(p.trim()))];
}

function cartesian(grid: Array<[string, unknown[]]>): Array<Record<string, unknown>> {
  return grid.reduce<Array<Record<string, unknown>>>((acc, [k, vs]) => acc.flatMap((c) => vs.map((v) => ({ ...c, [k]: v }))), [{}]);
}

function passthrough(a: SweepArgs): string[] {
  const out = globalChildArgs(a);
  for (const o of a.opt) out.push('--opt', o);
  if (a.limitTrain) out.push('--limit-train', String(a.limitTrain));
  if (a.limitVal) out.push('--limit-val', String(a.limitVal));
  if (a.limitTest) out.push('--limit-test', String(a.limitTest));
  return out;
}

export const sweepCommand: CommandModule<object, SweepArgs> = {
  command: 'sweep',
  describe: 'Grid search on the validation split (never test): one run per configuration and seed, in parallel processes; writes sweep.json and sweep.md',
  builder: (y) =>
    limitOptions(globalOptions(y))
      .option('task', { type: 'string', demandOption: true, describe: 'task name' })
      .option('method', { type: 'string', default: 'alen', choices: [...METHODS], describe: 'training method' })
      .option('grid', { type: 'string', array: true, demandOption: true, describe: 'a hyper-parameter and its values, e.g. --grid eta=0.5,1,2 --grid trainSteps=1,3 (repeatable)' })
      .option('set', { type: 'string', array: true, default: [] as string[], describe: 'fixed hyper-parameters for every run, key=value' })
      .option('seeds', { type: 'string', array: true, default: ['0'], coerce: parseSeeds, describe: 'seeds (space- or comma-separated); the table reports the mean over seeds' })
      .option('epochs', { type: 'number', describe: 'epochs per run' })
      .option('jobs', { type: 'number', default: 2, describe: 'runs in parallel (one process, one core each)' })
      .option('status-every', { type: 'number', default: 300, describe: 'seconds between status lines on the running jobs (epoch, last validation metric, time left); 0: none' })
      .option('out', { type: 'string', describe: 'sweep folder (default runs/sweep-<task>-<method>); finished runs in it are reused' }) as never,
  handler: async (a) => {
    const { backend } = await setup(a);
    const task = getTask(a.task);
    const out = a.out ?? path.join('runs', `sweep-${a.task}-${a.method}`);
    positiveIntFlag('jobs', a.jobs);
    positiveIntFlag('epochs', a.epochs);
    const grid = a.grid.map(parseGrid).map(([k, vs]): [string, unknown[]] => [k, [...new Map(vs.map((v) => [JSON.stringify(v), v])).values()]]);
    const gridKeys = grid.map(([k]) => k);
    const twice = gridKeys.find((k, i) => gridKeys.indexOf(k) !== i);
    if (twice) throw new AlenError('BAD_CONFIG', `--grid ${twice} is given twice: list all its values in one --grid ${twice}=v1,v2`);
    const fixedToo = a.set.map((s) => s.slice(0, s.indexOf('=')).trim()).find((k) => gridKeys.includes(k));
    if (fixedToo) throw new AlenError('BAD_CONFIG', `${fixedToo} is both swept (--grid) and fixed (--set): drop one`);
    for (const [k, vs] of grid) {
      if (vs.some((v) => v === '')) throw new AlenError('BAD_CONFIG', `--grid ${k}: an empty value (in '${a.grid.find((g) => g.trim().startsWith(`${k}=`))}')`);
    }
    const configs = cartesian(grid);
    const method = assertMethod(a.method);
    const key = task.primaryMetric;
    const status = statusOptions(a, key);
    const jobs: Job[] = [];
    configs.forEach((c, i) => {
      for (const seed of a.seeds) {
        const sets = [...a.set, ...Object.entries(c).map(([k, v]) => `${k}=${JSON.stringify(v)}`)];
        const args = ['--task', a.task, '--method', a.method, '--seed', String(seed), '--no-test', ...passthrough(a), ...sets.flatMap((s) => ['--set', s])];
        if (a.epochs) args.push('--epochs', String(a.epochs));
        const hp = resolveHyperParams(task, method, mergeOverrides(parseSets(sets), a.epochs ? { epochs: a.epochs } : undefined));
        const job = { args, out: path.join(out, `${folderName(c, i)}-s${seed}`), label: `${JSON.stringify(c)} seed ${seed}`, epochs: hp.epochs };
        prepareRunFolder(job.out, { task: a.task, method, seed, hp, limit: limitFrom(a) ?? {}, options: parseOptions(a.opt) }, [], log);
        jobs.push(job);
      }
    });
    log(`sweep ${a.task}/${a.method}: ${configs.length} configurations × ${a.seeds.length} seeds on ${backend}, ${a.jobs} at a time → ${out}`);
    const t0 = performance.now();
    const outcomes = await runJobs(jobs, a.jobs, (o, done) => {
      const v = o.result?.val[key];
      log(`[${done}/${jobs.length}] ${o.job.label}: ${o.error ?? `val ${key} ${v?.toFixed(2)} (${o.reused ? 'reused' : `${o.seconds.toFixed(0)} s`})`}`);
    }, status);
    const wall = (performance.now() - t0) / 1000;
    const rows = configs.map((c, i) => {
      const rs = outcomes.filter((_, j) => Math.floor(j / a.seeds.length) === i).map((o) => o.result).filter((r) => r !== undefined);
      const vals = rs.map((r) => r!.val[key]!);
      return { config: c, val: vals.length ? mean(vals) : NaN, seeds: vals, bestEpochs: rs.map((r) => r!.bestEpoch), testSteps: rs.map((r) => r!.hp.testSteps) };
    });
    rows.sort((p, q) => (Number.isNaN(q.val) ? -1 : q.val - (Number.isNaN(p.val) ? -Infinity : p.val)));
    const runSeconds = outcomes.reduce((s, o) => s + o.seconds, 0);
    const reused = outcomes.filter((o) => o.reused).length;
    const json = { task: a.task, method: a.method, metric: key, split: 'val', backend, seeds: a.seeds, fixed: a.set, epochs: a.epochs, jobs: a.jobs, wallSeconds: wall, sumRunSeconds: runSeconds, rows, command: 'alen ' + quoteArgs(process.argv.slice(2)) };
    writeFileAtomic(path.join(out, 'sweep.json'), JSON.stringify(json, null, 2) + '\n');
    const names = grid.map(([k]) => k);
    const md =
      `# Sweep: ${a.task} / ${a.method}, validation ${key}\n\n` +
      `Command: \`${json.command}\`\n\nFixed: ${a.set.join(' ') || '(task defaults)'}; seeds ${a.seeds.join(', ')}; backend ${backend}. ` +
      `Wall time ${wall.toFixed(0)} s for ${runSeconds.toFixed(0)} s of runs (${a.jobs} parallel)` +
      (reused ? `; ${reused} of ${outcomes.length} runs reused from an earlier invocation` : '') + '.\n\n' +
      markdownTable([...names, `val ${key} (mean)`, 'per seed', 'best epoch', 'test steps'], rows.map((r) => [...names.map((n) => JSON.stringify(r.config[n])), Number.isNaN(r.val) ? 'failed' : r.val.toFixed(2), r.seeds.map((v) => v.toFixed(2)).join(' '), r.bestEpochs.join(' '), r.testSteps.join(' ')]));
    writeFileAtomic(path.join(out, 'sweep.md'), md);
    process.stdout.write(md);
    if (outcomes.some((o) => !o.result)) process.exitCode = 1;
  },
};
