/**
 * The single place core imports TensorFlow.js from. tfjs-core alone registers no gradients
 * (its register_all_gradients module cannot be loaded by plain Node), so tfjs-layers is
 * imported once for that side effect. Use the functional API (`tf.sum(x)`), never chained ops.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';

export { tf };
export type Tensor = tf.Tensor;
export type Scalar = tf.Scalar;
export type Tensor1D = tf.Tensor1D;
