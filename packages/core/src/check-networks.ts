import { tf } from './tf.js';
import type { Batch, Dataset, HyperParams, MethodName, Task } from './types.js';
import { createModel, disposeModel, type Model } from './model.js';
import { batchOf } from './dataset.js';
import { Rng } from './rng.js';
import { AlenError } from './errors.js';

const EVAL = { training: false } as const;
const shapeText = (s: readonly number[]) => `[${s.join(', ')}]`;
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** A training batch of the split's first examples, augmented as training would, with its own random stream. */
function probeBatch(task: Task, train: Dataset, hp: HyperParams): Batch {
  const n = Math.min(2, train.size);
  const batch = batchOf(train, Array.from({ length: n }, (_, i) => i));
  return task.augment ? task.augment(batch, new Rng(0), hp) : batch;
}

/**
 * Runs the task's networks and oracle once on two training examples, before any training, and checks
 * what a plugin most easily gets wrong: the inference network's output shape, the energy's score
 * shape ([B], not [B, 1], which would broadcast silently in the losses), and the oracle's shape and
 * range. Each failure names the task, the hook and both shapes.
 */
export function checkNetworks(model: Model, train: Dataset): void {
  const { task, hp } = model;
  const batch = probeBatch(task, train, hp);
  const b = batch.y.shape[0]!;
  try {
    tf.tidy(() => {
      if (model.inference) {
        const logits = model.inference.logits(batch.x, EVAL);
        if (!sameShape(logits.shape, batch.y.shape)) {
          throw new AlenError('SHAPE_MISMATCH', `task '${task.name}': createInference's logits(x) have shape ${shapeText(logits.shape)} for a batch of ${b}; they must have the outputs' shape ${shapeText(batch.y.shape)} (the batch, then the task's yShape)`);
        }
      }
      if (model.energy) {
        const score: tf.Tensor = model.energy.score(model.energy.encode(batch.x, EVAL), batch.y, EVAL);
        if (!sameShape(score.shape, [b])) {
          throw new AlenError('SHAPE_MISMATCH', `task '${task.name}': createEnergy's score(h, y) has shape ${shapeText(score.shape)} for a batch of ${b}; it must be [${b}], one score per example${score.rank === 2 && score.shape[1] === 1 ? ' (squeeze the last axis: tf.squeeze(s, [1]))' : ''}`);
        }
      }
      const value = task.oracle(batch.y, batch.y);
      if (!sameShape(value.shape, [b])) {
        throw new AlenError('SHAPE_MISMATCH', `task '${task.name}': oracle(y, yStar) has shape ${shapeText(value.shape)} for a batch of ${b}; it must be [${b}], one value per example`);
      }
      const values = value.dataSync();
      const bad = Array.from(values).find((v) => !(v >= -1e-4 && v <= 1 + 1e-4));
      if (bad !== undefined) {
        throw new AlenError('BAD_TASK', `task '${task.name}': oracle(yStar, yStar) gave ${bad}; the oracle's values must lie in [0, 1] (a score of 1 is the best output)`);
      }
    });
  } finally {
    tf.dispose([batch.x, batch.y]);
  }
}

/** hp with an `arch` that records the keys read through it. */
function trackingArch(hp: HyperParams): { hp: HyperParams; read: Set<string> } {
  const read = new Set<string>();
  const arch = new Proxy(hp.arch, {
    get(target, key) {
      if (typeof key === 'string') read.add(key);
      return Reflect.get(target, key);
    },
  });
  return { hp: { ...hp, arch }, read };
}

/**
 * Creates the model and runs {@link checkNetworks}, then refuses architecture options that nothing
 * read (a misspelled `arch.NAME` would otherwise be ignored): an option counts when one of the
 * task's two networks or its augmentation reads it, or when one of the task's own `defaults` sets it.
 */
export function createCheckedModel(
  task: Task, method: MethodName, hp: HyperParams, train: Dataset, rng: Parameters<typeof createModel>[4],
): Model {
  const tracked = trackingArch(hp);
  const model = createModel(task, method, tracked.hp, { xShape: train.xShape, yShape: train.yShape }, rng);
  try {
    checkNetworks(model, train);
    // An option of the network this method does not build is still the task's (a bench profile's
    // common arch reaches every method): build that network once, only to see what it reads.
    const ctx = { xShape: train.xShape, yShape: train.yShape, hp: tracked.hp, rng: new Rng(0) };
    if (!model.energy) task.createEnergy(ctx).params.dispose();
    if (!model.inference) task.createInference(ctx).params.dispose();
    const declared = new Set(Object.values(task.defaults ?? {}).flatMap((layer) => Object.keys(layer?.arch ?? {})));
    const unused = Object.keys(hp.arch).filter((k) => !tracked.read.has(k) && !declared.has(k));
    if (unused.length) {
      const known = [...new Set([...tracked.read, ...declared])].filter((k) => k !== 'hp').sort();
      throw new AlenError('BAD_CONFIG', `arch option${unused.length > 1 ? 's' : ''} ${unused.join(', ')}: not read by task '${task.name}' (its options: ${known.join(', ') || 'none'})`);
    }
  } catch (e) {
    disposeModel(model);
    throw e;
  }
  return { ...model, hp };
}
