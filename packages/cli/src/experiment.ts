import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import {
  AlenError, assertMethod, getTask, resolveHyperParams, limitTaskData, train, evaluateModel, predictWithCurve, predictionSteps, takeFirst, tunedMetrics,
  writeFileAtomic, jsonlLogger, tf, methodFamily, predictDataset, lockRunFolder,
  type Callback, type HyperParamOverrides, type HyperParams, type MethodName, type Metrics, type Split, type CurvePoint, type Task,
  type Model, type Dataset, type TaskData, concatDatasets, getMethod,
} from '@alen/core';
import { progressCallback } from './progress.js';
import { hyperParamDiff } from './bench-runs.js';

export interface ExperimentOptions {
  readonly task: string;
  readonly method: string;
  readonly seed: number;
  readonly overrides?: HyperParamOverrides;
  readonly dataDir: string;
  readonly limit?: Partial<Record<Split, number>>;
  readonly options?: Record<string, string>;
  readonly outDir: string;
  readonly resume?: boolean;
  readonly stopAfterEpoch?: number;
  readonly backend: string;
  /** Show the progress bar / epoch lines. */
  readonly progress?: boolean;
  /** Evaluate on the test split after training (off for sweeps, which use validation only). */
  readonly evaluateTest?: boolean;
  /** Test-time step counts for a convergence curve on the test split. */
  readonly curveSteps?: readonly number[];
  /**
   * After training (or on a finished run folder), train again from scratch on train + validation
   * for the best epoch's count with the chosen test steps, into `<outDir>/refit`, and evaluate
   * that model on test too (DVN's protocol for the horses). result.json gains `refit`.
   */
  readonly refit?: boolean;
  readonly command?: string;
  readonly log?: (m: string) => void;
}

/** What `result.json` of a run holds. */
export interface ExperimentResult {
  readonly task: string;
  readonly method: MethodName;
  readonly seed: number;
  readonly backend: string;
  readonly hp: HyperParams;
  readonly limit?: Partial<Record<Split, number>>;
  readonly sizes: Record<Split, number>;
  readonly bestEpoch: number | null;
  readonly epochsRun: number;
  readonly interrupted: boolean;
  /** Early stopping (`patience`) ended training after this epoch. */
  readonly stoppedEarlyAt?: number;
  readonly val: Metrics;
  readonly test?: Metrics;
  /** ALEN family: the inference network alone (InfNet(ALEN)). */
  readonly testInferenceOnly?: Metrics;
  readonly testStepsCurve?: readonly CurvePoint[];
  readonly curve?: readonly CurvePoint[];
  /** Per epoch: mean training losses and, where validated, the validation metrics. */
  readonly history?: ReadonlyArray<{ epoch: number; losses: Record<string, number>; val?: Record<string, number> }>;
  readonly trainSeconds: number;
  readonly stepsPerSecond: number;
  readonly inferenceExamplesPerSecond?: number;
  readonly peakRssMB: number;
  readonly numTensorsEnd: number;
  readonly hardware: string;
  readonly command?: string;
  readonly finishedAt: string;
  /** The refit on train + validation (`--refit`), when it has run. */
  readonly refit?: RefitResult;
}

/** A model trained on train + validation with the choices its validated run made. */
export interface RefitResult {
  readonly trainSize: number;
  /** The validated run's best epoch. */
  readonly epochs: number;
  /** The test-time ascent steps chosen on validation by the validated run. */
  readonly steps: number;
  readonly test?: Metrics;
  readonly testInferenceOnly?: Metrics;
  readonly curve?: readonly CurvePoint[];
  readonly trainSeconds: number;
  readonly stepsPerSecond: number;
  readonly inferenceExamplesPerSecond?: number;
  readonly finishedAt: string;
}

export const REFIT_DIR = 'refit';

export const RESULT_FILE = 'result.json';
export const CONFIG_FILE = 'config.json';

export function hardware(): string {
  const cpus = os.cpus();
  return `${cpus.length}× ${cpus[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`;
}

/** Examples per second of a plain prediction of the split's first evaluation batch. */
async function examplesPerSecond(model: Model, data: Dataset): Promise<number> {
  const part = takeFirst(data, model.hp.evalBatchSize);
  const t0 = performance.now();
  await predictDataset(model, part);
  return part.size / ((performance.now() - t0) / 1000);
}

/** Trains one configuration into a run folder, evaluates it, and writes result.json. */
export async function runExperiment(o: ExperimentOptions): Promise<ExperimentResult> {
  const task = getTask(o.task);
  const method = assertMethod(o.method);
  const hp = resolveHyperParams(task, method, o.overrides);
  const log = o.log ?? (() => {});
  const ckDir = path.join(o.outDir, 'checkpoints');
  if (fs.existsSync(ckDir) && !o.resume) {
    throw new AlenError('BAD_CONFIG', `run folder ${o.outDir} already holds a training run; pass --resume to continue it, or choose another --out`);
  }
  const unlock = lockRunFolder(o.outDir);
  try {
    const finished = o.refit && o.resume ? finishedRun(o.outDir, task.name, method, hp, o.limit) : undefined;
    if (finished?.refit) return finished;
    const loaded = await task.load({ dataDir: o.dataDir, seed: o.seed, limit: o.limit, options: o.options ?? {}, log });
    const data = limitTaskData(loaded, o.limit);
    const result = finished ?? (await trainAndEvaluate(o, task, method, hp, data));
    if (!o.refit || result.interrupted) return result;
    const refit = await refitAndEvaluate(o, task, method, hp, result, data, log);
    if (!refit) return { ...result, interrupted: true };
    const withRefit: ExperimentResult = { ...result, refit };
    writeFileAtomic(path.join(o.outDir, RESULT_FILE), JSON.stringify(withRefit, null, 2) + '\n');
    return withRefit;
  } finally {
    unlock();
  }
}

/** The result.json of a finished run in `dir` with these settings (a refit reuses it), if any. */
function finishedRun(dir: string, task: string, method: MethodName, hp: HyperParams, limit: ExperimentOptions['limit']): ExperimentResult | undefined {
  const file = path.join(dir, RESULT_FILE);
  if (!fs.existsSync(file)) return undefined;
  let r: ExperimentResult;
  try {
    r = JSON.parse(fs.readFileSync(file, 'utf8')) as ExperimentResult;
  } catch (e) {
    throw new AlenError('BAD_CONFIG', `${file}: not valid JSON (${(e as Error).message}); move it away to train the run again`);
  }
  if (r.task !== task || r.method !== method) throw new AlenError('BAD_CONFIG', `${file}: the finished run there trains ${r.task}/${r.method}, not ${task}/${method}`);
  // The step counts a finished run records are the ones it chose on validation.
  const diff = hyperParamDiff(r.hp, hp).filter((k) => k !== 'testSteps' && k !== 'dvnSteps');
  if (diff.length) throw new AlenError('BAD_CONFIG', `${file}: the finished run there was trained with other settings (${diff.join(', ')}); choose another --out to refit these`);
  if (JSON.stringify(r.limit ?? {}) !== JSON.stringify(limit ?? {})) {
    throw new AlenError('BAD_CONFIG', `${file}: the finished run there used the data limits ${JSON.stringify(r.limit ?? {})}, not ${JSON.stringify(limit ?? {})}; pass the same --limit-* flags`);
  }
  return r;
}

interface TestOutcome {
  test: Metrics;
  testInferenceOnly?: Metrics;
  curve?: CurvePoint[];
  inferenceExamplesPerSecond: number;
}

/**
 * The test split's prediction, its step curve and (ALEN family) the inference network alone, from one ascent;
 * with `val`, also the task's metrics tuned on validation (a refit has no held-out validation split).
 */
async function evaluateOnTest(model: Model, method: MethodName, test: Dataset, curveSteps: readonly number[] | undefined, val?: Dataset): Promise<TestOutcome> {
  const steps = method !== 'infnet' ? curveSteps ?? [] : [];
  const t0 = performance.now();
  const out = await predictWithCurve(model, test, steps);
  let inferenceExamplesPerSecond = test.size / ((performance.now() - t0) / 1000);
  // The curve's ascent ran past the prediction's steps: time a plain prediction of one batch instead.
  if (Math.max(0, ...steps) > predictionSteps(model)) inferenceExamplesPerSecond = await examplesPerSecond(model, test);
  // ALEN's curve starts at g(x) itself: its point at 0 steps is the inference network alone.
  const testInferenceOnly = methodFamily(method) === 'alen'
    ? out.curve.find((p) => p.steps === 0)?.metrics ?? await evaluateModel(model, test, { inferenceOnly: true })
    : undefined;
  const tuned = val ? await tunedMetrics(model, test, out.pred, val) : {};
  return { test: { ...out.metrics, ...tuned }, testInferenceOnly, curve: steps.length ? out.curve : undefined, inferenceExamplesPerSecond };
}

function writeConfig(o: ExperimentOptions, dir: string, task: Task, method: MethodName, hp: HyperParams, extra: Record<string, unknown> = {}): void {
  fs.mkdirSync(dir, { recursive: true });
  const config = { task: task.name, method, seed: o.seed, hp, dataDir: o.dataDir, limit: o.limit, options: o.options, backend: o.backend, command: o.command, ...extra };
  if (!o.resume || !fs.existsSync(path.join(dir, CONFIG_FILE))) writeFileAtomic(path.join(dir, CONFIG_FILE), JSON.stringify(config, null, 2) + '\n');
}

function trainCallbacks(o: ExperimentOptions, dir: string, task: Task): Callback[] {
  const callbacks: Callback[] = [jsonlLogger(path.join(dir, 'log.jsonl'))];
  if (o.progress) callbacks.push(progressCallback(task.primaryMetric));
  return callbacks;
}

const disposeNets = (model: Model) => {
  for (const net of [model.energy, model.inference]) net?.params.dispose();
};

async function trainAndEvaluate(o: ExperimentOptions, task: Task, method: MethodName, hp: HyperParams, data: TaskData): Promise<ExperimentResult> {
  writeConfig(o, o.outDir, task, method, hp);
  const res = await train({
    task, method, hp, data, seed: o.seed, runDir: o.outDir, resume: o.resume, callbacks: trainCallbacks(o, o.outDir, task), backend: o.backend, stopAfterEpoch: o.stopAfterEpoch,
  });
  let val: Metrics = res.best?.metrics ?? {};
  let tested: TestOutcome | undefined;
  if (!res.interrupted) {
    // The trainer's choice of test steps already scored validation at the chosen count: no second pass.
    const chosen = res.testStepsCurve?.find((p) => p.steps === predictionSteps(res.model));
    val = chosen ? chosen.metrics : await evaluateModel(res.model, data.val);
    if (o.evaluateTest !== false) tested = await evaluateOnTest(res.model, method, data.test, o.curveSteps, data.val);
  }
  const result: ExperimentResult = {
    task: task.name,
    method,
    seed: o.seed,
    backend: o.backend,
    hp: res.model.hp,
    limit: o.limit,
    sizes: { train: data.train.size, val: data.val.size, test: data.test.size },
    bestEpoch: res.best?.epoch ?? null,
    epochsRun: res.history.length,
    interrupted: res.interrupted,
    stoppedEarlyAt: res.stoppedEarlyAt,
    val,
    test: tested?.test,
    testInferenceOnly: tested?.testInferenceOnly,
    testStepsCurve: res.testStepsCurve,
    curve: tested?.curve,
    history: res.history.map((h) => ({ epoch: h.epoch, losses: h.losses, ...(h.val ? { val: h.val } : {}) })),
    trainSeconds: res.trainSeconds,
    stepsPerSecond: res.stepsPerSecond,
    inferenceExamplesPerSecond: tested?.inferenceExamplesPerSecond,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    numTensorsEnd: tf.memory().numTensors,
    hardware: hardware(),
    command: o.command,
    finishedAt: new Date().toISOString(),
  };
  if (!res.interrupted) writeFileAtomic(path.join(o.outDir, RESULT_FILE), JSON.stringify(result, null, 2) + '\n');
  disposeNets(res.model);
  return result;
}

/** Phase 2 of `--refit`: train + validation, the validated run's epochs and steps, no selection. Null when cut off. */
async function refitAndEvaluate(o: ExperimentOptions, task: Task, method: MethodName, resolved: HyperParams, run: ExperimentResult, data: TaskData, log: (m: string) => void): Promise<RefitResult | null> {
  const epochs = run.bestEpoch ?? run.hp.epochs;
  // The settings as resolved now (the run's, checked; an older result.json may lack keys added since), with the run's choices.
  const hp: HyperParams = { ...resolved, epochs, testSteps: run.hp.testSteps, dvnSteps: run.hp.dvnSteps, testStepsCandidates: [] };
  const steps = getMethod(method).defaultSteps(hp);
  const dir = path.join(o.outDir, REFIT_DIR);
  const joined = concatDatasets(`${task.name}/train+val`, [data.train, data.val]);
  log(`refit: ${joined.size} examples (train + validation), ${epochs} epochs, ${steps} test steps, into ${dir}`);
  writeConfig(o, dir, task, method, hp, { refitOf: o.outDir });
  const res = await train({
    task, method, hp, data: { ...data, train: joined }, seed: o.seed, runDir: dir, resume: o.resume,
    callbacks: trainCallbacks(o, dir, task), backend: o.backend, stopAfterEpoch: o.stopAfterEpoch, validate: false,
  });
  if (res.interrupted) {
    disposeNets(res.model);
    return null;
  }
  const tested = o.evaluateTest !== false ? await evaluateOnTest(res.model, method, data.test, o.curveSteps) : undefined;
  disposeNets(res.model);
  return {
    trainSize: joined.size, epochs, steps,
    test: tested?.test, testInferenceOnly: tested?.testInferenceOnly, curve: tested?.curve,
    trainSeconds: res.trainSeconds, stepsPerSecond: res.stepsPerSecond, inferenceExamplesPerSecond: tested?.inferenceExamplesPerSecond,
    finishedAt: new Date().toISOString(),
  };
}
