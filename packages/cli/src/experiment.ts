import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import {
  AlenError, assertMethod, getTask, resolveHyperParams, limitTaskData, train, evaluateModel, predictWithCurve, predictionSteps, takeFirst,
  writeFileAtomic, jsonlLogger, tf, methodFamily, predictDataset, lockRunFolder,
  type Callback, type HyperParamOverrides, type HyperParams, type MethodName, type Metrics, type Split, type CurvePoint, type Task,
  type Model, type Dataset,
} from '@alen/core';
import { progressCallback } from './progress.js';

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
}

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
    return await trainAndEvaluate(o, task, method, hp, log);
  } finally {
    unlock();
  }
}

async function trainAndEvaluate(o: ExperimentOptions, task: Task, method: MethodName, hp: HyperParams, log: (m: string) => void): Promise<ExperimentResult> {
  const loaded = await task.load({ dataDir: o.dataDir, seed: o.seed, limit: o.limit, options: o.options ?? {}, log });
  const data = limitTaskData(loaded, o.limit);
  fs.mkdirSync(o.outDir, { recursive: true });
  const config = { task: task.name, method, seed: o.seed, hp, dataDir: o.dataDir, limit: o.limit, options: o.options, backend: o.backend, command: o.command };
  if (!o.resume || !fs.existsSync(path.join(o.outDir, CONFIG_FILE))) writeFileAtomic(path.join(o.outDir, CONFIG_FILE), JSON.stringify(config, null, 2) + '\n');
  const callbacks: Callback[] = [jsonlLogger(path.join(o.outDir, 'log.jsonl'))];
  if (o.progress) callbacks.push(progressCallback(task.primaryMetric));
  const res = await train({
    task, method, hp, data, seed: o.seed, runDir: o.outDir, resume: o.resume, callbacks, backend: o.backend, stopAfterEpoch: o.stopAfterEpoch,
  });
  let val: Metrics = res.best?.metrics ?? {};
  let test: Metrics | undefined;
  let testInferenceOnly: Metrics | undefined;
  let curve: CurvePoint[] | undefined;
  let inferenceExamplesPerSecond: number | undefined;
  if (!res.interrupted) {
    // The trainer's choice of test steps already scored validation at the chosen count: no second pass.
    const chosen = res.testStepsCurve?.find((p) => p.steps === predictionSteps(res.model));
    val = chosen ? chosen.metrics : await evaluateModel(res.model, data.val);
    if (o.evaluateTest !== false) {
      const curveSteps = method !== 'infnet' ? o.curveSteps ?? [] : [];
      const t0 = performance.now();
      const out = await predictWithCurve(res.model, data.test, curveSteps);
      inferenceExamplesPerSecond = data.test.size / ((performance.now() - t0) / 1000);
      // The curve's ascent ran past the prediction's steps: time a plain prediction of one batch instead.
      if (Math.max(0, ...curveSteps) > predictionSteps(res.model)) inferenceExamplesPerSecond = await examplesPerSecond(res.model, data.test);
      test = out.metrics;
      if (curveSteps.length) curve = out.curve;
      if (methodFamily(method) === 'alen') {
        // ALEN's curve starts at g(x) itself: its point at 0 steps is the inference network alone.
        testInferenceOnly = out.curve.find((p) => p.steps === 0)?.metrics ?? await evaluateModel(res.model, data.test, { inferenceOnly: true });
      }
    }
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
    val,
    test,
    testInferenceOnly,
    testStepsCurve: res.testStepsCurve,
    curve,
    history: res.history.map((h) => ({ epoch: h.epoch, losses: h.losses, ...(h.val ? { val: h.val } : {}) })),
    trainSeconds: res.trainSeconds,
    stepsPerSecond: res.stepsPerSecond,
    inferenceExamplesPerSecond,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    numTensorsEnd: tf.memory().numTensors,
    hardware: hardware(),
    command: o.command,
    finishedAt: new Date().toISOString(),
  };
  if (!res.interrupted) writeFileAtomic(path.join(o.outDir, RESULT_FILE), JSON.stringify(result, null, 2) + '\n');
  for (const net of [res.model.energy, res.model.inference]) net?.params.dispose();
  return result;
}
