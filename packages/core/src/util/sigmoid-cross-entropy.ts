import { tf } from '../tf.js';

/** Cross-entropy between sigmoid(z) and targets in [0, 1], element by element, in the stable logits form. */
export function sigmoidCrossEntropyEach(z: tf.Tensor, target: tf.Tensor | number): tf.Tensor {
  return tf.add(tf.sub(tf.relu(z), tf.mul(z, target)), tf.log1p(tf.exp(tf.neg(tf.abs(z)))));
}
