import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CommandModule } from 'yargs';
import { AlenError, assertMethod, getTask, resolveHyperParams, writeFileAtomic, type HyperParamOverrides, type MethodName } from '@alen/core';
import { prepareRunFolder } from '../bench-runs.js';
import { globalChildArgs, globalOptions, setup, log, parseSeeds, positiveIntFlag, quoteArgs, statusOptions, type GlobalArgs } from './common.js';
import { readResult, runJobs, type Job } from '../pool.js';
import { hardware, type ExperimentResult } from '../experiment.js';
import { formatRate, markdownTable, mean, meanStd, std } from '../format.js';

interface BenchArgs extends GlobalArgs {
  task: string;
  profile: 'quick' | 'paper';
  out: string;
  runs: string;
  jobs: number;
  statusEvery: number;
  methods?: string[];
  seeds?: number[];
  epochs?: number;
  reportOnly: boolean;
  refit: boolean;
}

const CURVE = [0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 18, 20, 25, 30];

function setsOf(o: HyperParamOverrides): string[] {
  return Object.entries(o).flatMap(([k, v]) =>
    k === 'arch' ? Object.entries((v ?? {}) as object).map(([a, b]) => `arch.${a}=${JSON.stringify(b)}`) : v === undefined ? [] : [`${k}=${JSON.stringify(v)}`],
  );
}

export interface BenchRow {
  readonly method: string;
  readonly metrics: Record<string, { mean: number; std: number; values: number[] }>;
  readonly paper?: Record<string, number>;
  readonly delta?: Record<string, number>;
  readonly seeds: number[];
  readonly epochs: number;
  readonly trainSeconds: number;
  readonly stepsPerSecond: number;
  readonly inferenceExamplesPerSecond?: number;
  readonly peakRssMB: number;
  readonly numTensorsEnd: number;
  readonly command: string;
}

interface TrainingCurvePoint {
  epoch: number;
  /** Mean over seeds of each training loss. */
  losses: Record<string, number>;
  /** Mean over seeds of the primary validation metric, on validated epochs. */
  val?: number;
}

/** A run as the report keeps it: its command without the run folder, a path of this machine. */
function portable(r: ExperimentResult): ExperimentResult {
  return r.command ? { ...r, command: r.command.replace(/ --out ('[^']*'|\S+)/, '') } : r;
}

/** A run's refit (`--refit`) as a run of its own, for the report's rows. */
function asRefit(r: ExperimentResult, f: NonNullable<ExperimentResult['refit']>): ExperimentResult {
  return {
    ...r, hp: { ...r.hp, epochs: f.epochs }, test: f.test, testInferenceOnly: f.testInferenceOnly, curve: f.curve,
    trainSeconds: f.trainSeconds, stepsPerSecond: f.stepsPerSecond, inferenceExamplesPerSecond: f.inferenceExamplesPerSecond,
  };
}

/** Epoch records of a run folder's log.jsonl (runs finished before result.json kept its history). */
function historyFromLog(runDir: string): ExperimentResult['history'] {
  const file = path.join(runDir, 'log.jsonl');
  if (!fs.existsSync(file)) return undefined;
  return fs.readFileSync(file, 'utf8').split('\n').flatMap((line) => {
    try {
      const e = JSON.parse(line) as { event?: string; epoch?: number; losses?: Record<string, number>; val?: Record<string, number> };
      return e.event === 'epoch' && typeof e.epoch === 'number' && e.losses ? [{ epoch: e.epoch, losses: e.losses, ...(e.val ? { val: e.val } : {}) }] : [];
    } catch {
      return [];
    }
  });
}

/** Per-epoch training losses and validation metric, averaged over the seeds that ran that epoch. */
function trainingCurve(results: ExperimentResult[], metric: string): TrainingCurvePoint[] {
  const byEpoch = new Map<number, Array<{ losses: Record<string, number>; val?: Record<string, number> }>>();
  for (const r of results) for (const h of r.history ?? []) byEpoch.set(h.epoch, [...(byEpoch.get(h.epoch) ?? []), h]);
  return [...byEpoch.entries()].sort(([a], [b]) => a - b).map(([epoch, hs]) => {
    const keys = Object.keys(hs[0]!.losses);
    const vals = hs.map((h) => h.val?.[metric]).filter((v): v is number => typeof v === 'number');
    return { epoch, losses: Object.fromEntries(keys.map((k) => [k, mean(hs.map((h) => h.losses[k]!))])), ...(vals.length ? { val: mean(vals) } : {}) };
  });
}

function aggregate(method: string, results: ExperimentResult[], pick: (r: ExperimentResult) => Record<string, number> | undefined, paper: Record<string, number> | undefined, command: string): BenchRow {
  const keys = Object.keys(pick(results[0]!) ?? {});
  const metrics = Object.fromEntries(keys.map((k) => {
    const values = results.map((r) => pick(r)![k]!);
    return [k, { mean: mean(values), std: std(values), values }];
  }));
  const delta = paper ? Object.fromEntries(Object.keys(paper).filter((k) => metrics[k]).map((k) => [k, metrics[k]!.mean - paper[k]!])) : undefined;
  return {
    method, metrics, paper, delta, seeds: results.map((r) => r.seed), epochs: Math.round(mean(results.map((r) => r.hp.epochs))),
    trainSeconds: mean(results.map((r) => r.trainSeconds)),
    stepsPerSecond: mean(results.map((r) => r.stepsPerSecond)),
    inferenceExamplesPerSecond: mean(results.map((r) => r.inferenceExamplesPerSecond ?? NaN)),
    peakRssMB: Math.max(...results.map((r) => r.peakRssMB)),
    numTensorsEnd: Math.max(...results.map((r) => r.numTensorsEnd)),
    command,
  };
}

export const benchCommand: CommandModule<object, BenchArgs> = {
  command: 'bench',
  describe: 'Benchmark a task: every method of its profile over several seeds, against the papers; writes <out>/<profile>/<task>.json and .md',
  builder: (y) =>
    globalOptions(y)
      .option('task', { type: 'string', demandOption: true, describe: 'task name' })
      .option('profile', { type: 'string', choices: ['quick', 'paper'] as const, default: 'quick' as const, describe: 'quick: small data, short schedules (regression check); paper: full protocol (hours, resumable)' })
      .option('out', { type: 'string', default: path.join('docs', 'results'), describe: 'report folder' })
      .option('runs', { type: 'string', default: path.join('runs', 'bench'), describe: 'folder of the individual runs (finished runs are reused, cut-off runs resume)' })
      .option('jobs', { type: 'number', default: 2, describe: 'runs in parallel (one process, one core each)' })
      .option('status-every', { type: 'number', default: 300, describe: 'seconds between status lines on the running jobs (epoch, last validation metric, time left); 0: none' })
      .option('methods', { type: 'string', array: true, describe: 'train only these methods (space- or comma-separated); the report still covers the whole profile' })
      .option('seeds', { type: 'string', array: true, coerce: parseSeeds, describe: 'override the profile\'s seeds (space- or comma-separated)' })
      .option('epochs', { type: 'number', describe: 'train the selected methods (--methods) for this many epochs instead of the profile\'s (a time-boxed run: the rows show it in their epochs column and reproduce command); a later bench with more epochs trains such runs on from their last checkpoint, one with fewer trains them again' })
      .option('refit', { type: 'boolean', default: false, describe: 'also refit each run on train + validation (`alen train --refit`) and report those models as "<method> (train+val)" rows' })
      .option('report-only', { type: 'boolean', default: false, describe: 'start nothing: report the finished runs and list the others as pending (paper runs that span sessions)' }) as never,
  handler: async (a) => {
    positiveIntFlag('jobs', a.jobs);
    const { backend } = await setup(a);
    const task = getTask(a.task);
    const status = statusOptions(a, task.primaryMetric);
    const profile = task.bench?.[a.profile];
    if (!profile) {
      throw new AlenError('BAD_TASK', `task '${task.name}' defines no '${a.profile}' bench profile${task.bench ? '' : ' (its plugin has no `bench` key: use alen train or alen sweep, or add bench: { quick, paper })'}`);
    }
    if (a.epochs !== undefined && !(Number.isInteger(a.epochs) && a.epochs > 0)) throw new AlenError('BAD_CONFIG', `--epochs must be a positive integer, got ${a.epochs}`);
    const selected = (a.methods?.flatMap((m) => m.split(',')).filter(Boolean) ?? profile.methods) as MethodName[];
    for (const m of selected) assertMethod(m);
    // The report covers the whole profile: methods left out by --methods are reported from their
    // finished (or recorded) runs, or listed as pending, never dropped from the report.
    const methods = [...new Set([...(profile.methods as MethodName[]), ...selected])];
    const trained = new Set<Job>();
    // Runs whose folder holds a result trained with other settings (left in place by --report-only).
    const stale = new Set<Job>();
    const seeds = a.seeds ?? [...profile.seeds];
    const limitArgs = Object.entries(profile.limit ?? {}).flatMap(([s, n]) => [`--limit-${s}`, String(n)]);
    const extra = globalChildArgs(a);
    const jobs: Job[] = [];
    const commands: Record<string, string> = {};
    // Runs an earlier report recorded (possibly on another machine): reused when their settings match.
    const reportFile = path.join(a.out, a.profile, `${task.name}.json`);
    const recorded = fs.existsSync(reportFile) ? ((JSON.parse(fs.readFileSync(reportFile, 'utf8')) as { runs?: ExperimentResult[] }).runs ?? []) : [];
    for (const m of methods) {
      const common = profile.overrides?.common ?? {};
      const own = { ...(profile.overrides?.[m] ?? {}), ...(a.epochs && selected.includes(m) ? { epochs: a.epochs } : {}) };
      const sets = setsOf({ ...common, ...own, arch: { ...(common.arch ?? {}), ...(own.arch ?? {}) } });
      const base = ['--task', task.name, '--method', m, ...limitArgs, ...sets.flatMap((s) => ['--set', s])];
      if (m !== 'infnet') base.push('--curve', CURVE.join(','));
      // The plain row's command trains without the refit; the refit row adds --refit to it.
      commands[m] = 'npx alen train ' + quoteArgs([...base, '--seed', String(seeds[0])]);
      if (a.refit && selected.includes(m)) base.push('--refit');
      const hp = resolveHyperParams(task, m, { ...common, ...own, arch: { ...(common.arch ?? {}), ...(own.arch ?? {}) } });
      for (const seed of seeds) {
        const job = { args: [...base, '--seed', String(seed), ...extra], out: path.join(a.runs, a.profile, task.name, `${m}-s${seed}`), label: `${m} seed ${seed}`, epochs: hp.epochs, ...(a.refit && selected.includes(m) ? { complete: (r: ExperimentResult) => !!r.refit } : {}) };
        // Methods this bench does not train are only reported: their folders are never moved.
        const state = prepareRunFolder(job.out, { method: m, seed, hp }, recorded, log, { readOnly: a.reportOnly || !selected.includes(m) });
        if (state === 'imported') log(`${job.label}: finished run taken from ${reportFile}`);
        if (state === 'stale') stale.add(job);
        jobs.push(job);
        if (!a.reportOnly && selected.includes(m)) trained.add(job);
      }
    }
    // A run this bench does not train is pending when it is stale, missing, or lacks its refit; the
    // last is still reported (its result stands; only the refit is missing).
    const existing = new Map(jobs.map((j) => [j, readResult(j.out)]));
    const complete = (j: Job) => {
      const r = existing.get(j);
      return !!r && (j.complete?.(r) ?? true);
    };
    const pending = jobs.filter((j) => !trained.has(j) && (stale.has(j) || !complete(j)));
    const awaitingRefit = pending.filter((j) => !stale.has(j) && existing.get(j));
    const toRun = jobs.filter((j) => !pending.includes(j));
    log(`bench ${task.name} (${a.profile}): ${selected.join(', ')} × seeds ${seeds.join(', ')} on ${backend}, ${a.reportOnly ? 'report only' : `${a.jobs} at a time`}${pending.length ? `, ${pending.length} pending` : ''}`);
    const t0 = performance.now();
    const outcomes = await runJobs(toRun, a.jobs, (o, done) => {
      const v = o.result?.test?.[task.primaryMetric];
      log(`[${done}/${toRun.length}] ${o.job.label}: ${o.error ?? `test ${task.primaryMetric} ${v?.toFixed(2)} (${o.reused ? 'reused' : `${o.seconds.toFixed(0)} s`})`}`);
    }, status);
    const failed = outcomes.filter((o) => !o.result);
    const reported = [...outcomes.flatMap((o) => (o.result ? [{ result: o.result, out: o.job.out }] : [])), ...awaitingRefit.map((j) => ({ result: existing.get(j)!, out: j.out }))];
    const finished = reported.map(({ result, out }) => portable(result.history ? result : { ...result, history: historyFromLog(out) }));
    const rows: BenchRow[] = [];
    const curves: Record<string, Array<{ steps: number; value: number }>> = {};
    const trainingCurves: Record<string, TrainingCurvePoint[]> = {};
    for (const m of methods) {
      const rs = finished.filter((r) => r.method === m);
      if (!rs.length) continue;
      rows.push(aggregate(m, rs, (r) => r.test, task.paper?.[m], commands[m]!));
      if (m === 'alen' || m === 'alen-dvn') rows.push(aggregate(`infnet(${m})`, rs, (r) => r.testInferenceOnly, task.paper?.[`infnet(${m})`], commands[m]! + '  # then: alen eval --inference-only'));
      const refits = rs.flatMap((r) => (r.refit?.test ? [asRefit(r, r.refit)] : []));
      if (refits.length) {
        const cmd = commands[m]!.replace(' --seed ', ' --refit --seed ');
        rows.push(aggregate(`${m} (train+val)`, refits, (r) => r.test, task.paper?.[m], cmd));
        if (m === 'alen' || m === 'alen-dvn') rows.push(aggregate(`infnet(${m}) (train+val)`, refits, (r) => r.testInferenceOnly, task.paper?.[`infnet(${m})`], cmd + '  # then: alen eval --inference-only'));
      }
      const tc = trainingCurve(rs, task.primaryMetric);
      if (tc.length) trainingCurves[m] = tc;
      if (rs[0]!.curve) {
        curves[m] = rs[0]!.curve.map((p, i) => ({ steps: p.steps, value: mean(rs.map((r) => r.curve![i]!.metrics[task.primaryMetric]!)) }));
      }
    }
    const report = {
      task: task.name, profile: a.profile, primaryMetric: task.primaryMetric, backend, hardware: hardware(),
      generatedAt: new Date().toISOString(), wallSeconds: (performance.now() - t0) / 1000, rows, curves, trainingCurves,
      runs: finished,
      failed: failed.map((o) => ({ run: o.job.label, error: o.error })),
      pending: pending.map((j) => (awaitingRefit.includes(j) ? `${j.label} (its refit)` : j.label)),
    };
    const dir = path.join(a.out, a.profile);
    writeFileAtomic(path.join(dir, `${task.name}.json`), JSON.stringify(report, null, 2) + '\n');
    const keys = [...new Set(rows.flatMap((r) => Object.keys(r.metrics)))];
    const md =
      `# ${task.name}: ${a.profile} benchmark (test split)\n\n` +
      `Backend ${backend}; ${hardware()}; seeds ${seeds.join(', ')}; generated ${report.generatedAt}.\n\n` +
      markdownTable(
        ['method', ...keys, 'paper', 'Δ ' + task.primaryMetric, 'epochs', 'train s', 'steps/s', 'infer ex/s', 'peak RSS MB', 'reproduce'],
        rows.map((r) => [
          r.method,
          ...keys.map((k) => (r.metrics[k] ? meanStd(r.metrics[k]!.values) : '–')),
          r.paper ? Object.entries(r.paper).map(([k, v]) => `${k} ${v}`).join(', ') : '–',
          r.delta?.[task.primaryMetric] !== undefined ? r.delta[task.primaryMetric]!.toFixed(2) : '–',
          r.epochs, r.trainSeconds.toFixed(0), r.stepsPerSecond.toFixed(1),
          formatRate(r.inferenceExamplesPerSecond),
          r.peakRssMB.toFixed(0), '`' + r.command + '`',
        ]),
      ) +
      (Object.keys(curves).length
        ? `\nTest ${task.primaryMetric} against test-time ascent steps (mean over seeds):\n\n` +
          markdownTable(['steps', ...Object.keys(curves)], CURVE.map((s, i) => [s, ...Object.values(curves).map((c) => c[i]?.value.toFixed(2) ?? '–')]))
        : '') +
      (failed.length ? `\nFailed runs: ${failed.map((f) => `${f.job.label} (${f.error})`).join('; ')}\n` : '') +
      (pending.length ? `\nPending runs (not finished yet; \`alen bench\` without --report-only resumes them): ${report.pending.join(', ')}\n` : '');
    writeFileAtomic(path.join(dir, `${task.name}.md`), md);
    process.stdout.write(md);
    if (failed.length) process.exitCode = 1;
  },
};
