import type { Dataset } from './types.js';
import type { Model } from './model.js';
import { predictDataset, predictionSteps, type PredictionOptions } from './predict.js';
import { AlenError } from './errors.js';

export type Metrics = Record<string, number>;

function checkedMetrics(model: Model, data: Dataset, pred: Float32Array): Metrics {
  const m = model.task.evaluate(pred, data);
  const primary = model.task.primaryMetric;
  if (typeof m[primary] !== 'number') {
    throw new AlenError('BAD_TASK', `task '${model.task.name}': evaluate() returned no '${primary}' (its primaryMetric); got ${Object.keys(m).join(', ') || 'nothing'}`);
  }
  if (!Number.isFinite(m[primary])) {
    const i = pred.findIndex((v) => !Number.isFinite(v));
    const why = i >= 0
      ? `the model's predictions hold ${pred[i]} (example ${Math.floor(i / (pred.length / data.size))})`
      : `the predictions are finite, so evaluate() itself produced it`;
    throw new AlenError('NON_FINITE', `task '${model.task.name}': ${primary} (its primaryMetric) is ${m[primary]} on ${data.name}: ${why}`);
  }
  return m;
}

/** The task's metrics of a model's predictions on a split. */
export async function evaluateModel(model: Model, data: Dataset, opts: PredictionOptions = {}): Promise<Metrics> {
  const { pred } = await predictDataset(model, data, opts);
  return checkedMetrics(model, data, pred);
}

export interface CurvePoint {
  readonly steps: number;
  readonly metrics: Metrics;
}

const sortedSteps = (steps: readonly number[]) => [...new Set(steps)].sort((a, b) => a - b);

function curveOf(model: Model, data: Dataset, sorted: readonly number[], recorded: readonly Float32Array[]): CurvePoint[] {
  return sorted.map((s, i) => ({ steps: s, metrics: checkedMetrics(model, data, recorded[i]!) }));
}

/** Metrics after each of the given numbers of ascent steps, from one inference run. */
export async function stepCurve(model: Model, data: Dataset, steps: readonly number[], opts: PredictionOptions = {}): Promise<CurvePoint[]> {
  const sorted = sortedSteps(steps);
  const { recorded } = await predictDataset(model, data, { ...opts, steps: 0, record: sorted });
  return curveOf(model, data, sorted, recorded);
}

/**
 * The prediction (at `opts.steps`, else the model's own step count) and the step curve from one
 * ascent: the curve's points are iterates of the same run, so the prediction costs no second pass.
 */
export async function predictWithCurve(
  model: Model, data: Dataset, steps: readonly number[], opts: PredictionOptions = {},
): Promise<{ pred: Float32Array; metrics: Metrics; curve: CurvePoint[] }> {
  const sorted = sortedSteps(steps);
  const { pred, recorded } = await predictDataset(model, data, { ...opts, record: sorted });
  const curve = curveOf(model, data, sorted, recorded);
  const at = curve.find((p) => p.steps === predictionSteps(model, opts));
  return { pred, metrics: at ? at.metrics : checkedMetrics(model, data, pred), curve };
}

/** Picks the number of test-time steps with the best primary metric on (validation) data; ties go to fewer steps. */
export async function selectTestSteps(model: Model, val: Dataset, candidates: readonly number[], opts: PredictionOptions = {}): Promise<{ steps: number; curve: CurvePoint[] }> {
  const curve = await stepCurve(model, val, candidates, opts);
  const key = model.task.primaryMetric;
  let best = curve[0]!;
  for (const p of curve) if (p.metrics[key]! > best.metrics[key]!) best = p;
  return { steps: best.steps, curve };
}

/**
 * The task's validation-tuned metrics of a prediction `pred` on `data` (empty when the task has no
 * `evaluateTuned`): predicts the validation split with the same options, hands both to the task.
 */
export async function tunedMetrics(model: Model, data: Dataset, pred: Float32Array, val: Dataset, opts: PredictionOptions = {}): Promise<Metrics> {
  const tune = model.task.evaluateTuned;
  if (!tune) return {};
  const valPred = data === val ? pred : (await predictDataset(model, val, opts)).pred;
  return tune.call(model.task, pred, data, { pred: valPred, data: val });
}
