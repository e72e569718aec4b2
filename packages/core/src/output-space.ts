import { tf } from './tf.js';
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
    // max(z,0) - z*y + log(1 + exp(-|z|)), the stable form of BCE with logits.
    taskLoss: (z, y) =>
      tf.tidy(() => reduceTask(tf.add(tf.sub(tf.relu(z), tf.mul(z, y)), tf.log1p(tf.exp(tf.neg(tf.abs(z))))))),
    decode: (y) => tf.cast(tf.greaterEqual(y, 0.5), 'float32'),
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
  };
}

/**
 * Euclidean projection of every vector along the last axis onto the probability simplex
 * (sort, cumulative sum, threshold; Held et al. 1974 / Duchi et al. 2008).
 */
export function projectSimplex(y: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const shape = y.shape;
    const C = shape[shape.length - 1]!;
    const v = tf.reshape(y, [-1, C]) as tf.Tensor2D;
    const u = tf.topk(v, C, true).values;
    const css = tf.cumsum(u, 1);
    const ks = tf.range(1, C + 1, 1, 'float32');
    // cond_j = u_j - (css_j - 1)/j > 0 ; rho = number of true conds (they form a prefix).
    const cond = tf.cast(tf.greater(tf.sub(u, tf.div(tf.sub(css, 1), ks)), 0), 'float32');
    const rho = tf.sum(cond, 1, true);
    const cssRho = tf.sum(tf.mul(css, tf.cast(tf.equal(ks, rho), 'float32')), 1, true);
    const theta = tf.div(tf.sub(cssRho, 1), rho);
    return tf.reshape(tf.relu(tf.sub(v, theta)), shape);
  });
}
