import { tf } from '../tf.js';
import type { EnergyNet, HyperParams, Mode, OutputSpace, ScoreGrad, ScoreGradOptions } from '../types.js';
import { gradientAscent, type AscentResult } from '../inference.js';
import { AlenError } from '../errors.js';
import { assertSpaceSupports } from '../hyperparams.js';
import { detached } from '../util/detached.js';
import { sigmoidCrossEntropyEach } from '../util/sigmoid-cross-entropy.js';
import type { NetOptimizer } from '../optim.js';

export const EVAL: Mode = { training: false };

/** The energy's output as the method sees it: sigmoid(score) or the raw score. */
export function energyOutput(raw: tf.Tensor, hp: HyperParams): tf.Tensor {
  return hp.energyOutput === 'sigmoid' ? tf.sigmoid(raw) : raw;
}

/** The inference net's task loss on logits `z`: summed over output dims, or their mean (`taskLossReduction`). */
export function taskLossOf(space: OutputSpace, z: tf.Tensor, yStar: tf.Tensor, hp: HyperParams): tf.Scalar {
  const lt = space.taskLoss(z, yStar);
  if (hp.taskLossReduction !== 'mean') return lt;
  return tf.div(lt, yStar.shape.slice(1).reduce((a, b) => a * b, 1)) as tf.Scalar;
}

/** Mean over the batch of ½(a − b)². */
export function halfSquared(a: tf.Tensor, b: tf.Tensor | number): tf.Scalar {
  return tf.mul(tf.mean(tf.square(tf.sub(a, b))), 0.5) as tf.Scalar;
}

/** ALEN's normalized refinement of `y0` on the energy net, starting from an already encoded x. */
export function refine(energy: EnergyNet, h: tf.Tensor, y0: tf.Tensor, space: OutputSpace, hp: HyperParams, steps: number, record?: readonly number[]): AscentResult {
  return gradientAscent((y) => energy.score(h, y, EVAL), y0, space.project, {
    steps,
    eta: hp.eta,
    normalized: true,
    sigmoid: false,
    record,
    scoreGrad: closedForm(energy, h),
    feasible: feasibleDirection(space, hp),
  });
}

/** The output space's feasible-direction hook when `ascentNorm` is 'feasible'. */
export function feasibleDirection(space: OutputSpace, hp: HyperParams): ((y: tf.Tensor, g: tf.Tensor) => tf.Tensor) | undefined {
  if (hp.ascentNorm !== 'feasible') return undefined;
  assertSpaceSupports(hp, space);
  return (y, g) => space.feasibleDirection!(y, g);
}

/** The energy's closed-form score and gradient at a fixed encoding (eval mode), if it has one. */
export function closedForm(energy: EnergyNet, h: tf.Tensor): ((y: tf.Tensor, options: ScoreGradOptions) => ScoreGrad) | undefined {
  return energy.scoreGrad ? (y, options) => energy.scoreGrad!(h, y, EVAL, options) : undefined;
}

/**
 * One energy update whose loss needs outputs generated from x's encoding (DVN's tuples, ALEN's
 * y″). With a closed-form gradient the outputs are made inside the update, `detached`, from the
 * training-mode encoding the loss uses: x is encoded once per step, as the reference code does.
 * Otherwise (a tf.grad ascent cannot run `detached`, and on the tape it would be differentiated
 * through, at several times the cost; the conv nets' `encode` is the identity anyway) they are made
 * first from an eval-mode encoding. With dropout
 * before the encoding, shared outputs see the same dropped-out input as the loss.
 */
export function energyStepWithOutputs(
  opt: NetOptimizer,
  energy: EnergyNet,
  x: tf.Tensor,
  train: Mode,
  make: (h: tf.Tensor) => tf.Tensor,
  loss: (h: tf.Tensor, y: tf.Tensor) => tf.Scalar,
): tf.Scalar {
  if (energy.scoreGrad) {
    return opt.step(() => {
      const h = energy.encode(x, train);
      return loss(h, detached(() => make(h)));
    });
  }
  const y = tf.tidy(() => make(energy.encode(x, EVAL)));
  try {
    return opt.step(() => loss(energy.encode(x, train), y));
  } finally {
    y.dispose();
  }
}

/**
 * Mean over the batch of the cross-entropy between sigmoid(z) and a target in [0, 1], in the
 * stable logits form. Its gradient, sigmoid(z) − target, does not vanish when sigmoid(z) saturates.
 */
export function sigmoidCrossEntropy(z: tf.Tensor, target: tf.Tensor | number): tf.Scalar {
  return tf.mean(sigmoidCrossEntropyEach(z, target)) as tf.Scalar;
}

/** Concatenates along the batch axis `k` copies of a tensor (scores several outputs in one pass). */
export function repeatBatch(t: tf.Tensor, k: number): tf.Tensor {
  return k === 1 ? t : tf.concat(Array.from({ length: k }, () => t), 0);
}

/** The batch rolled by `shift` rows: row i holds row (i + shift) mod B, another example's for 0 < shift < B. */
export function rollBatch(t: tf.Tensor, shift: number): tf.Tensor {
  return tf.tidy(() => tf.concat([tf.slice(t, shift), tf.slice(t, 0, shift)], 0));
}

export function requireNet<T>(net: T | undefined, what: string, method: string): T {
  if (!net) throw new AlenError('BAD_CONFIG', `method '${method}' needs ${what} network, but the model has none`);
  return net;
}

/** Disposes an encoding unless it is the input itself (an `encode` may return `x` unchanged). */
export function disposeEncoding(h: tf.Tensor, x: tf.Tensor): void {
  if (h !== x) h.dispose();
}
