import { tf } from './tf.js';
import { detached } from './util/detached.js';
import { sigmoidCrossEntropyEach } from './util/sigmoid-cross-entropy.js';
import type { OutputSpace } from './types.js';

function reduceTask(perElement: tf.Tensor): tf.Scalar {
  const B = perElement.shape[0]!;
  return tf.div(tf.sum(perElement), B) as tf.Scalar;
}

/** Y = [0,1]^d (multi-label, binary masks): clip, sigmoid, binary cross-entropy, 0.5 threshold. */
export function boxSpace(): OutputSpace {
  return {
    kind: 'box',
    project: (y) => tf.clipByValue(y, 0, 1),
    activate: (logits) => tf.sigmoid(logits),
    taskLoss: (z, y) => tf.tidy(() => reduceTask(sigmoidCrossEntropyEach(z, y))),
    decode: (y) => tf.cast(tf.greaterEqual(y, 0.5), 'float32'),
    feasibleDirection: (y, g) =>
      tf.tidy(() => {
        const out = tf.logicalOr(tf.logicalAnd(tf.lessEqual(y, 0), tf.less(g, 0)), tf.logicalAnd(tf.greaterEqual(y, 1), tf.greater(g, 0)));
        return tf.where(out, tf.zerosLike(g), g);
      }),
  };
}

/**
 * Each position of the last axis of size C is a point of the probability simplex (k-class
 * masks): Euclidean projection onto the simplex, softmax, categorical cross-entropy, argmax.
 */
export function simplexSpace(): OutputSpace {
  return {
    kind: 'simplex',
    project: projectSimplex,
    activate: (logits) => tf.softmax(logits),
    taskLoss: (z, y) => tf.tidy(() => reduceTask(tf.neg(tf.mul(y, tf.logSoftmax(z))))),
    decode: (y) =>
      tf.tidy(() => {
        const C = y.shape[y.shape.length - 1]!;
        return tf.cast(tf.oneHot(tf.argMax(y, -1), C), 'float32');
      }),
    feasibleDirection: simplexFeasible,
  };
}

/**
 * The projection ignores a direction's mean over the classes (it keeps the sum at 1) and a class
 * at 0 cannot go lower: drop those, then centre again over the classes still free.
 */
function simplexFeasible(y: tf.Tensor, g: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const centred = tf.sub(g, tf.mean(g, -1, true));
    const free = tf.cast(tf.logicalNot(tf.logicalAnd(tf.lessEqual(y, 0), tf.less(centred, 0))), 'float32');
    const meanFree = tf.div(tf.sum(tf.mul(g, free), -1, true), tf.maximum(tf.sum(free, -1, true), 1));
    return tf.mul(free, tf.sub(g, meanFree));
  });
}

/**
 * Euclidean projection of every vector along the last axis onto the probability simplex
 * (sort, cumulative sum, threshold; Held et al. 1974 / Duchi et al. 2008). Differentiable: the
 * support is found detached (TF.js has no gradient for TopK or Greater), then the threshold is
 * recomputed from it with plain ops, so θ = (Σ_support v − 1) / |support| carries its gradient.
 */
export function projectSimplex(y: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const shape = y.shape;
    const C = shape[shape.length - 1]!;
    const v = tf.reshape(y, [-1, C]) as tf.Tensor2D;
    const support = detached(() => {
      const u = tf.topk(v, C, true).values;
      const css = tf.cumsum(u, 1);
      const ks = tf.range(1, C + 1, 1, 'float32');
      // cond_j = u_j - (css_j - 1)/j > 0 ; rho = number of true conds (they form a prefix).
      const rho = tf.sum(tf.cast(tf.greater(tf.sub(u, tf.div(tf.sub(css, 1), ks)), 0), 'float32'), 1, true);
      const cssRho = tf.sum(tf.mul(css, tf.cast(tf.equal(ks, rho), 'float32')), 1, true);
      const theta = tf.div(tf.sub(cssRho, 1), rho);
      // The entries above θ (the first rho of the sorted ones; at least the largest).
      return tf.cast(tf.greater(v, theta), 'float32');
    });
    const theta = tf.div(tf.sub(tf.sum(tf.mul(v, support), 1, true), 1), tf.sum(support, 1, true));
    return tf.reshape(tf.relu(tf.sub(v, theta)), shape);
  });
}
