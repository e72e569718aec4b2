import { tf } from './tf.js';
import type { Dataset, EnergyNet, TestViews } from './types.js';
import type { Model } from './model.js';
import type { PredictOptions } from './methods/method.js';
import { getMethod } from './methods/index.js';
import { inputsOf } from './dataset.js';
import { AlenError } from './errors.js';

export interface PredictionOptions extends PredictOptions {
  /** With test-time views: average the views' outputs (default) or ascend jointly over all views. */
  readonly viewMode?: 'average' | 'joint';
}

/** The energy of a full-size output as the sum of the energies of its views (joint inference). */
function jointEnergy(energy: EnergyNet, views: TestViews): EnergyNet {
  if (!views.splitOutput) throw new Error('joint inference needs the task\'s testViews.splitOutput');
  return {
    params: energy.params,
    encode: (x, mode) => energy.encode(views.split(x), mode),
    score: (h, y, mode) =>
      tf.tidy(() => {
        const B = y.shape[0]!;
        const s = energy.score(h, views.splitOutput!(y), mode);
        return tf.sum(tf.reshape(s, [B, -1]), 1) as tf.Tensor1D;
      }),
  };
}

/** Predicts a batch of full inputs, applying the task's test-time views when it has them. */
export function predictBatch(model: Model, x: tf.Tensor, opts: PredictionOptions = {}): { y: tf.Tensor; recorded: tf.Tensor[] } {
  const method = getMethod(model.method);
  const per = x.shape.slice(1);
  // Tasks whose inputs may vary in size say so with outputShape (or test views); others take the training shape.
  if (!model.task.outputShape && !model.task.testViews && per.join('x') !== model.xShape.join('x')) {
    throw new AlenError('SHAPE_MISMATCH', `predict: inputs of shape [${x.shape.join(', ')}], but the ${model.task.name} model takes [B, ${model.xShape.join(', ')}]`);
  }
  const views = model.task.testViews;
  if (!views) return method.predict(x, model, opts);
  if (opts.viewMode === 'joint' && model.energy) {
    const joint: Model = { ...model, energy: jointEnergy(model.energy, views) };
    return method.predict(x, joint, opts);
  }
  const B = x.shape[0]!;
  const xs = views.split(x);
  let res: { y: tf.Tensor; recorded: tf.Tensor[] };
  try {
    res = method.predict(xs, model, opts);
  } finally {
    xs.dispose();
  }
  const merged = { y: views.merge(res.y, B), recorded: res.recorded.map((r) => views.merge(r, B)) };
  tf.dispose([res.y, ...res.recorded]);
  return merged;
}

export interface DatasetPrediction {
  /** Soft outputs, `data.size × yShape`, flat. */
  readonly pred: Float32Array;
  /** Soft outputs at each recorded step count. */
  readonly recorded: Float32Array[];
}

/** The ascent steps a prediction with these options takes (0 for the inference network alone). */
export function predictionSteps(model: Model, opts: PredictionOptions = {}): number {
  if (opts.inferenceOnly) return 0;
  return opts.steps ?? getMethod(model.method).defaultSteps(model.hp);
}

/** Predicts a whole split in batches of `hp.evalBatchSize`. */
export async function predictDataset(model: Model, data: Dataset, opts: PredictionOptions = {}): Promise<DatasetPrediction> {
  const per = model.yShape.reduce((a, b) => a * b, 1);
  const pred = new Float32Array(data.size * per);
  const recorded = (opts.record ?? []).map(() => new Float32Array(data.size * per));
  const bs = model.hp.evalBatchSize;
  for (let start = 0; start < data.size; start += bs) {
    const end = Math.min(data.size, start + bs);
    const x = inputsOf(data, start, end);
    const res = predictBatch(model, x, opts);
    pred.set((await res.y.data()) as Float32Array, start * per);
    for (let i = 0; i < recorded.length; i++) recorded[i]!.set((await res.recorded[i]!.data()) as Float32Array, start * per);
    tf.dispose([x, res.y, ...res.recorded]);
  }
  return { pred, recorded };
}
