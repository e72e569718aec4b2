import { tf } from '../tf.js';
import type { EnergyNet, Mode } from '../types.js';
import { dense, dropout } from '../params.js';
import { AlenError } from '../errors.js';
import { convLayers, positiveInt, positiveInts, resolveConvStack, storeFor, type ConvStackOptions, type StoreOrContext } from './net-options.js';

/**
 * Options of {@link convEnergyNet}; the defaults are DVN's segmentation value net (conv 5×5 64 s1,
 * 128 s2, 128 s2; FC 384, 192; dropout 0.25 = keep 0.75, after the first FC layer).
 */
export interface ConvEnergyNetOptions extends ConvStackOptions {
  /** Spatial size the net scores (a crop size, or the full image): it fixes the flatten size. */
  readonly height: number;
  readonly width: number;
  /** Hidden FC sizes, ReLU after each; at least one (default 384, 192). */
  readonly fc?: readonly number[];
  /** Logical name of the final 1-unit layer; checkpoints key its weights by it (default 'out'). */
  readonly outName?: string;
  /** `encode` returns a copy of x instead of x itself (default false: core handles either). */
  readonly cloneOnEncode?: boolean;
  /** Appended to the input-size error, e.g. how the task produces inputs of the right size. */
  readonly shapeHint?: string;
}

/**
 * A convolutional energy (value) net v(x, y) for dense outputs on images, NHWC: x and y concatenated
 * on channels → convs (ReLU) → flatten → FCs (ReLU; dropout after the first) → one raw score per
 * example, [N]. Parameters `conv1..`, `fc1..` and `outName`, in that order. `encode` is the identity:
 * the convolutions need x and y together. `y` may come in any shape holding N·H·W·outChannels values.
 */
export function convEnergyNet(target: StoreOrContext, options: ConvEnergyNetOptions): EnergyNet {
  const stack = resolveConvStack(options, { label: 'conv energy net', dropout: 0.25 });
  const { label, inChannels: inC, outChannels: outC, widths, strides } = stack;
  const H = positiveInt(label, 'height', options.height);
  const W = positiveInt(label, 'width', options.width);
  const fcSizes = positiveInts(label, 'fc', options.fc ?? [384, 192], 1);

  const params = storeFor(target, 'energy');
  const convs = convLayers(params, stack, inC + outC);
  // 'same' padding: each conv maps a side s to ceil(s / stride).
  const side = (s: number) => strides.reduce((acc, st) => Math.ceil(acc / st), s);
  const flat = side(H) * side(W) * widths[widths.length - 1]!;
  const fcs = fcSizes.map((u, i) => dense(params, `fc${i + 1}`, i === 0 ? flat : fcSizes[i - 1]!, u));
  const out = dense(params, options.outName ?? 'out', fcSizes[fcSizes.length - 1]!, 1, { init: stack.outInit });

  return {
    params,
    encode: (x) => (options.cloneOnEncode ? tf.clone(x) : x),
    score: (h: tf.Tensor, y: tf.Tensor, mode: Mode) =>
      tf.tidy(() => {
        const N = h.shape[0]!;
        if (h.rank !== 4 || h.shape[1] !== H || h.shape[2] !== W || h.shape[3] !== inC) {
          const hint = options.shapeHint ? `; ${options.shapeHint}` : '';
          throw new AlenError('SHAPE_MISMATCH', `${label}: built for ${H}×${W}×${inC} inputs, got [${h.shape}]${hint}`);
        }
        if (y.size !== N * H * W * outC) {
          throw new AlenError('SHAPE_MISMATCH', `${label}: output [${y.shape}] does not match inputs [${h.shape}] (expected ${outC} channel(s) per pixel)`);
        }
        let z = tf.concat([h as tf.Tensor4D, tf.reshape(y, [N, H, W, outC]) as tf.Tensor4D], 3);
        for (const conv of convs) z = tf.relu(conv(z));
        let f: tf.Tensor = tf.reshape(z, [N, flat]);
        fcs.forEach((fc, i) => {
          f = tf.relu(fc(f));
          if (i === 0) f = dropout(f, stack.dropout, mode);
        });
        return tf.reshape(out(f), [N]) as tf.Tensor1D;
      }),
  };
}
