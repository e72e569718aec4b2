import { tf } from '../tf.js';
import type { EnergyNet, InferenceNet, Mode } from '../types.js';
import { conv2dTranspose, dropout, type ParamStore } from '../params.js';
import { AlenError } from '../errors.js';
import { convLayers, positiveInts, resolveConvStack, storeFor, type ConvStack, type ConvStackOptions, type StoreOrContext } from './net-options.js';

/**
 * Options of {@link fcnInference} and {@link fcnEnergyNet}; the defaults are ALEN's FCN (conv 5×5
 * 64 s1, 128 s2, 128 s2; transposed conv 5×5 64 s2, then to the output channels s2; dropout 0, on
 * the bottleneck).
 */
export interface FcnInferenceOptions extends ConvStackOptions {
  /**
   * Widths of the hidden transposed convs (default 64). A last transposed conv to the output
   * channels follows; the transposed convs undo the conv strides above 1 in reverse order, so there
   * must be exactly one more of them than this list has entries.
   */
  readonly deconv?: readonly number[];
}

type FcnBody = { readonly forward: (x: tf.Tensor4D, mode: Mode) => tf.Tensor4D; readonly factor: number };

/** convs (ReLU) → dropout → transposed convs (ReLU between), `inC` channels in, `outC` out. */
function fcnBody(params: ParamStore, stack: ConvStack, deconv: readonly number[] | undefined, inC: number, outC: number): FcnBody {
  const hidden = positiveInts(stack.label, 'deconv', deconv ?? [64], 0);
  const up = stack.strides.filter((s) => s > 1).reverse();
  if (up.length !== hidden.length + 1) {
    throw new AlenError(
      'BAD_CONFIG',
      `${stack.label}: ${up.length} downsampling conv(s) (stride > 1) need ${up.length} transposed convs, i.e. ${up.length - 1} deconv width(s); got ${hidden.length}`,
    );
  }
  const convs = convLayers(params, stack, inC);
  const upWidths = [...hidden, outC];
  const deconvs = upWidths.map((c, i) => {
    const last = i === upWidths.length - 1;
    const inWidth = i === 0 ? stack.widths[stack.widths.length - 1]! : upWidths[i - 1]!;
    return conv2dTranspose(params, `deconv${i + 1}`, stack.kernel, inWidth, c, { stride: up[i], ...(last ? { init: stack.outInit } : {}) });
  });
  return {
    factor: up.reduce((a, b) => a * b, 1),
    forward: (x, mode) => {
      let z = x;
      for (const conv of convs) z = tf.relu(conv(z));
      z = dropout(z, stack.dropout, mode) as tf.Tensor4D;
      deconvs.forEach((d, i) => {
        z = d(z);
        if (i < deconvs.length - 1) z = tf.relu(z);
      });
      return z;
    },
  };
}

/**
 * A fully convolutional inference net g(x), NHWC: convs (ReLU) → dropout → transposed convs (ReLU
 * between) → logits [N, H, W, outChannels] at the input resolution. Any H and W that are multiples
 * of the total stride work (training crops and full images alike). Parameters `conv1..`, `deconv1..`.
 */
export function fcnInference(target: StoreOrContext, options: FcnInferenceOptions): InferenceNet {
  const stack = resolveConvStack(options, { label: 'FCN', dropout: 0 });
  const params = storeFor(target, 'inference');
  const body = fcnBody(params, stack, options.deconv, stack.inChannels, stack.outChannels);
  return {
    params,
    logits: (x: tf.Tensor, mode: Mode) =>
      tf.tidy(() => {
        const { label, inChannels: inC } = stack;
        if (x.rank !== 4 || x.shape[3] !== inC || x.shape[1]! % body.factor !== 0 || x.shape[2]! % body.factor !== 0) {
          throw new AlenError('SHAPE_MISMATCH', `${label}: expected inputs [N, H, W, ${inC}] with H and W multiples of ${body.factor}, got [${x.shape}]`);
        }
        return body.forward(x as tf.Tensor4D, mode);
      }),
  };
}

/**
 * ALEN's segmentation energy (ALEN §4: "our energy networks map (x, y) to score matrices"): the FCN
 * body on x and y concatenated on channels gives one score per pixel, and v(x, y) is their mean,
 * [N]. Unlike {@link convEnergyNet} it has no FC layers, so it scores any H×W that is a multiple of
 * the total stride, and each pixel's score depends on its receptive field only; `scoreMap` gives the
 * per-pixel scores [N, H, W] themselves (`energyFit: 'map'`). Parameters `conv1..`,
 * `deconv1..`; `encode` is a copy of x.
 */
export function fcnEnergyNet(target: StoreOrContext, options: FcnInferenceOptions): EnergyNet {
  const stack = resolveConvStack({ label: 'FCN energy net', ...options }, { label: 'FCN energy net', dropout: 0 });
  const { label, inChannels: inC, outChannels: outC } = stack;
  const params = storeFor(target, 'energy');
  const body = fcnBody(params, stack, options.deconv, inC + outC, 1);
  const scoreMap = (h: tf.Tensor, y: tf.Tensor, mode: Mode): tf.Tensor3D =>
    tf.tidy(() => {
      const [N, H, W] = h.shape as number[];
      if (h.rank !== 4 || h.shape[3] !== inC || H! % body.factor !== 0 || W! % body.factor !== 0) {
        throw new AlenError('SHAPE_MISMATCH', `${label}: expected inputs [N, H, W, ${inC}] with H and W multiples of ${body.factor}, got [${h.shape}]`);
      }
      if (y.size !== N! * H! * W! * outC) {
        throw new AlenError('SHAPE_MISMATCH', `${label}: output [${y.shape}] does not match inputs [${h.shape}] (expected ${outC} channel(s) per pixel)`);
      }
      const z = tf.concat([h as tf.Tensor4D, tf.reshape(y, [N!, H!, W!, outC]) as tf.Tensor4D], 3);
      return tf.reshape(body.forward(z, mode), [N!, H!, W!]) as tf.Tensor3D;
    });
  return {
    params,
    encode: (x) => tf.clone(x),
    scoreMap,
    score: (h: tf.Tensor, y: tf.Tensor, mode: Mode) => tf.tidy(() => tf.mean(scoreMap(h, y, mode), [1, 2]) as tf.Tensor1D),
  };
}
