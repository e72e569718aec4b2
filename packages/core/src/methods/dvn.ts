import { tf } from '../tf.js';
import type { Batch, EnergyNet, HyperParams, OutputSpace, ScoreGradOptions } from '../types.js';
import type { Method, StepContext } from './method.js';
import { gradientAscent } from '../inference.js';
import { EVAL, closedForm, feasibleDirection, disposeEncoding, energyStepWithOutputs, refine, requireNet, rollBatch, sigmoidCrossEntropy } from './shared.js';
import { sigmoidCrossEntropyEach } from '../util/sigmoid-cross-entropy.js';
import { AlenError } from '../errors.js';
import { outputShapeFor } from '../model.js';
import { drawSamples, stratifiedSamples } from './dvn-samples.js';
import { createReplayBuffer, type ReplayBuffer } from './dvn-replay.js';
import { dvnTupleSteps } from '../hyperparams.js';

/** DVN's start point: zeros or the centre of Y (0.5 in a box), projected into Y (uniform on a simplex). */
function startPoint(shape: number[], space: OutputSpace, hp: HyperParams): tf.Tensor {
  return tf.tidy(() => space.project(tf.fill(shape, hp.dvnInit === 'center' ? 0.5 : 0)));
}

function dvnAscent(energy: EnergyNet, h: tf.Tensor, y0: tf.Tensor, space: OutputSpace, hp: HyperParams, steps: number, record?: readonly number[]) {
  return gradientAscent((y) => energy.score(h, y, EVAL), y0, space.project, {
    steps,
    eta: hp.dvnEta,
    normalized: hp.dvnNormalized,
    sigmoid: true,
    record,
    scoreGrad: closedForm(energy, h),
    feasible: feasibleDirection(space, hp),
  });
}

/**
 * DVN's adversarial tuples: one step from `y0` up the value net's cross-entropy against the oracle
 * value of `y0` (held fixed), ∂/∂y = (σ(v) − h)·∂v/∂y; normalized as DVN's inference is.
 */
export function adversarialStep(energy: EnergyNet, h: tf.Tensor, y0: tf.Tensor, target: tf.Tensor, space: OutputSpace, hp: HyperParams): tf.Tensor {
  const perExample = (t: tf.Tensor, like: tf.Tensor) => tf.reshape(t, [-1, ...like.shape.slice(1).map(() => 1)]);
  const lossOf = (y: tf.Tensor) => sigmoidCrossEntropyEach(energy.score(h, y, EVAL), target);
  const scoreGrad = energy.scoreGrad
    ? (y: tf.Tensor, options: ScoreGradOptions) => {
        const { score, grad } = energy.scoreGrad!(h, y, EVAL, { ...options, score: true });
        return { grad: tf.mul(perExample(tf.sub(tf.sigmoid(score!), target), grad), grad) };
      }
    : undefined;
  return gradientAscent(lossOf, y0, space.project, {
    steps: 1,
    eta: hp.dvnEta,
    normalized: hp.dvnNormalized,
    sigmoid: false,
    scoreGrad,
    feasible: feasibleDirection(space, hp),
  }).y;
}

/**
 * DVN's value-net update (Gygli et al. 2017, Algorithm 1, as in the released code): v regresses
 * h(y, y*) with cross-entropy on sigmoid(v). The batch's tuples come, with probability
 * `dvnInferenceProb`, from an inference run from the start point (its end, or with
 * `dvnInferenceTuples: 'trajectory'` a random point along it), else from one step from a
 * start where a random half of the rows is replaced by the ground truth (and, with `dvnOtherTruth`,
 * some of the others by another example's ground truth; during the first `dvnContrastEpochs` epochs
 * only these, every other row from another example's ground truth): an ascent step on v, or
 * with `dvnAdversarial: 'loss'` a step up v's loss (the paper's adversarial tuples). Before either,
 * with probability `dvnTruthPairsProb` the tuples are the ground truths themselves, each row's own
 * or another example's; with `dvnSampleProb` random outputs near y* (the paper's stratified samples,
 * {@link stratifiedSamples}, τ = `dvnSampleTau`); with `dvnAdvInferenceProb` an inference run's
 * output moved `dvnAdvSteps` steps up v's loss (the paper's "inference + adversarial"). With
 * `dvnTupleStart: 'proposal'` (ALEN family) the start point is g's `proposal` and the full run is
 * ALEN's refinement of it. With `dvnReplay` and a `replay` buffer, each step also fits that many
 * tuples of recent batches.
 */
export function dvnEnergyUpdate(batch: Batch, ctx: StepContext, energy: EnergyNet, opts: { proposal?: tf.Tensor; replay?: ReplayBuffer } = {}): tf.Scalar {
  const { proposal, replay } = opts;
  const { task, rng, hp } = ctx;
  const tuples = dvnTuples(batch, ctx, energy, proposal);
  const train = { training: true, rng };
  if (!replay || hp.dvnReplay <= 0) {
    const fit = (h: tf.Tensor, y: tf.Tensor) => sigmoidCrossEntropy(energy.score(h, y, train), task.oracle(y, batch.y));
    return energyStepWithOutputs(ctx.optimizers.energy!, energy, batch.x, train, tuples, fit);
  }
  const fresh = tf.tidy(() => {
    const y = tuples(energy.encode(batch.x, EVAL));
    return { x: batch.x, y, target: task.oracle(y, batch.y) };
  });
  const old = replay.sample(rng, hp.dvnReplay);
  replay.add(fresh);
  const both = (k: 'x' | 'y' | 'target') => (old ? tf.concat([fresh[k], old[k]], 0) : fresh[k]);
  const [x, y, target] = [both('x'), both('y'), both('target')];
  try {
    return ctx.optimizers.energy!.step(() => sigmoidCrossEntropy(energy.score(energy.encode(x, train), y, train), target));
  } finally {
    tf.dispose([fresh.y, fresh.target, ...(old ? [old.x, old.y, old.target, x, y, target] : [])]);
  }
}

/** The maker of one batch's DVN tuples from x's encoding (its random choices drawn now, in order). */
export function dvnTuples(batch: Batch, ctx: StepContext, energy: EnergyNet, proposal?: tf.Tensor): (h: tf.Tensor) => tf.Tensor {
  const { hp, task, rng } = ctx;
  const space = task.outputSpace;
  const { x, y: yStar } = batch;
  const fromProposal = hp.dvnTupleStart === 'proposal';
  if (fromProposal && !proposal) {
    throw new AlenError('BAD_CONFIG', "dvnTupleStart 'proposal' starts the energy's tuples from g(x): it needs an inference network (method alen-dvn)");
  }
  const B = x.shape[0]!;
  const contrast = ctx.epoch !== undefined && ctx.epoch <= hp.dvnContrastEpochs;
  const tupleSteps = dvnTupleSteps(hp);
  // Each option's draws happen only when it is on, so that runs without it keep their random numbers.
  if (!contrast && B > 1 && hp.dvnTruthPairsProb > 0 && rng.next() < hp.dvnTruthPairsProb) {
    const own = Array.from({ length: B }, () => (rng.next() < 0.5 ? 1 : 0));
    const shift = 1 + Math.floor(rng.next() * (B - 1));
    return () => tf.tidy(() => mixRows(own, yStar, rollBatch(yStar, shift)));
  }
  if (!contrast && hp.dvnSampleProb > 0 && rng.next() < hp.dvnSampleProb) {
    const draws = drawSamples(rng, B);
    return () => stratifiedSamples(yStar, space, task.oracle, hp.dvnSampleTau, draws);
  }
  const run = (h: tf.Tensor, steps: number): tf.Tensor => {
    const base = fromProposal ? proposal! : startPoint(yStar.shape, space, hp);
    return fromProposal ? refine(energy, h, base, space, hp, hp.trainSteps).y : dvnAscent(energy, h, base, space, hp, steps).y;
  };
  if (!contrast && hp.dvnAdvInferenceProb > 0 && rng.next() < hp.dvnAdvInferenceProb) {
    const steps = 1 + Math.floor(rng.next() * tupleSteps);
    return (h) =>
      tf.tidy(() => {
        let y = run(h, steps);
        for (let k = 0; k < hp.dvnAdvSteps; k++) y = adversarialStep(energy, h, y, task.oracle(y, yStar), space, hp);
        return y;
      });
  }
  const otherTruth = contrast ? 1 : hp.dvnOtherTruth;
  const fullRun = rng.next() < (contrast ? 0 : hp.dvnInferenceProb);
  const runSteps = fullRun && hp.dvnInferenceTuples === 'trajectory' ? 1 + Math.floor(rng.next() * tupleSteps) : tupleSteps;
  const rows = fullRun ? [] : Array.from({ length: B }, () => (rng.next() < 0.5 ? 1 : 0));
  // Rows that start from another example's ground truth (the batch's y* rolled by `shift`).
  const others = !fullRun && otherTruth > 0 && B > 1 ? rows.map((r) => (r === 0 && rng.next() < otherTruth ? 1 : 0)) : [];
  const shift = others.includes(1) ? 1 + Math.floor(rng.next() * (B - 1)) : 0;
  return (h: tf.Tensor): tf.Tensor =>
    tf.tidy(() => {
      if (fullRun) return run(h, runSteps);
      const base = fromProposal ? proposal! : startPoint(yStar.shape, space, hp);
      let start = mixRows(rows, yStar, base);
      if (shift > 0) start = mixRows(others, rollBatch(yStar, shift), start);
      if (hp.dvnAdversarial === 'loss') return adversarialStep(energy, h, start, task.oracle(start, yStar), space, hp);
      return dvnAscent(energy, h, start, space, hp, 1).y;
    });
}

/** Row i of `a` where `pick[i]` is 1, else row i of `b`. */
function mixRows(pick: number[], a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const m = tf.reshape(tf.tensor1d(pick), [pick.length, ...a.shape.slice(1).map(() => 1)]);
    return tf.add(tf.mul(m, a), tf.mul(tf.sub(1, m), b));
  });
}

/** DVN predicts by `dvnSteps` ascent steps from its start point. */
const defaultSteps = (hp: HyperParams): number => hp.dvnSteps;

/** DVN: the value net trained by {@link dvnEnergyUpdate}, prediction by ascent from the start point. */
export function dvnMethod(): Method {
  const replay = createReplayBuffer();
  return {
    name: 'dvn',
    trainStep(batch, ctx) {
      const energy = requireNet(ctx.model.energy, 'an energy', 'dvn');
      return { lossV: dvnEnergyUpdate(batch, ctx, energy, { replay }) };
    },
    state: () => replay.state(),
    restore: (st, source) => replay.restore(st, source),
    dispose: () => replay.dispose(),
    defaultSteps,
    predict(x, model, opts) {
      const energy = requireNet(model.energy, 'an energy', 'dvn');
      const space = model.task.outputSpace;
      const h = tf.tidy(() => energy.encode(x, EVAL));
      const y0 = startPoint([x.shape[0]!, ...outputShapeFor(model, x.shape.slice(1))], space, model.hp);
      const res = dvnAscent(energy, h, y0, space, model.hp, opts.steps ?? defaultSteps(model.hp), opts.record);
      disposeEncoding(h, x);
      y0.dispose();
      return res;
    },
  };
}
