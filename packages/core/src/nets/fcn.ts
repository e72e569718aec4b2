import { tf } from '../tf.js';
import type { InferenceNet, Mode } from '../types.js';
import { conv2dTranspose, dropout } from '../params.js';
import { AlenError } from '../errors.js';
import { convLayers, positiveInts, resolveConvStack, storeFor, type ConvStackOptions, type StoreOrContext } from './net-options.js';

/**
 * Options of {@link fcnInference}; the defaults are ALEN's FCN (conv 5×5 64 s1, 128 s2, 128 s2;
 * transposed conv 5×5 64 s2, then to `outChannels` s2; dropout 0, on the bottleneck).
 */
export interface FcnInferenceOptions extends ConvStackOptions {
  /**
   * Widths of the hidden transposed convs (default 64). A last transposed conv to `outChannels`
   * follows; the transposed convs undo the conv strides above 1 in reverse order, so there must be
   * exactly one more of them than this list has entries.
   */
  readonly deconv?: readonly number[];
}

/**
 * A fully convolutional inference net g(x), NHWC: convs (ReLU) → dropout → transposed convs (ReLU
 * between) → logits [N, H, W, outChannels] at the input resolution. Any H and W that are multiples
 * of the total stride work (training crops and full images alike). Parameters `conv1..`, `deconv1..`.
 */
export function fcnInference(target: StoreOrContext, options: FcnInferenceOptions): InferenceNet {
  const stack = resolveConvStack(options, { label: 'FCN', dropout: 0 });
  const { label, inChannels: inC, widths, kernel } = stack;
  const hidden = positiveInts(label, 'deconv', options.deconv ?? [64], 0);
  const up = stack.strides.filter((s) => s > 1).reverse();
  if (up.length !== hidden.length + 1) {
    throw new AlenError(
      'BAD_CONFIG',
      `${label}: ${up.length} downsampling conv(s) (stride > 1) need ${up.length} transposed convs, i.e. ${up.length - 1} deconv width(s); got ${hidden.length}`,
    );
  }
  const factor = up.reduce((a, b) => a * b, 1);

  const params = storeFor(target, 'inference');
  const convs = convLayers(params, stack, inC);
  const upWidths = [...hidden, stack.outChannels];
  const deconvs = upWidths.map((c, i) => {
    const last = i === upWidths.length - 1;
    const inWidth = i === 0 ? widths[widths.length - 1]! : upWidths[i - 1]!;
    return conv2dTranspose(params, `deconv${i + 1}`, kernel, inWidth, c, { stride: up[i], ...(last ? { init: stack.outInit } : {}) });
  });

  return {
    params,
    logits: (x: tf.Tensor, mode: Mode) =>
      tf.tidy(() => {
        if (x.rank !== 4 || x.shape[3] !== inC || x.shape[1]! % factor !== 0 || x.shape[2]! % factor !== 0) {
          throw new AlenError('SHAPE_MISMATCH', `${label}: expected inputs [N, H, W, ${inC}] with H and W multiples of ${factor}, got [${x.shape}]`);
        }
        let z = x as tf.Tensor4D;
        for (const conv of convs) z = tf.relu(conv(z));
        z = dropout(z, stack.dropout, mode) as tf.Tensor4D;
        deconvs.forEach((deconv, i) => {
          z = deconv(z);
          if (i < deconvs.length - 1) z = tf.relu(z);
        });
        return z;
      }),
  };
}
