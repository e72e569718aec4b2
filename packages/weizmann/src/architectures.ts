import type { BuildContext, EnergyNet, InferenceNet, Mode } from '@alen/core';
import { AlenError, ParamStore, conv2d, conv2dTranspose, dense, dropout, tf } from '@alen/core';

type Arch = BuildContext['hp']['arch'];

function archNumber(arch: Arch, key: string, fallback: number, opts: { integer?: boolean; min?: number; max?: number } = {}): number {
  const raw = arch[key];
  if (raw === undefined) return fallback;
  const v = typeof raw === 'string' ? Number(raw) : raw;
  const bad =
    typeof v !== 'number' ||
    !Number.isFinite(v) ||
    (opts.integer && !Number.isInteger(v)) ||
    (opts.min !== undefined && v < opts.min) ||
    (opts.max !== undefined && v > opts.max);
  if (bad) {
    const range = `${opts.integer ? 'an integer' : 'a number'}${opts.min !== undefined ? ` ≥ ${opts.min}` : ''}${opts.max !== undefined ? ` and ≤ ${opts.max}` : ''}`;
    throw new AlenError('BAD_CONFIG', `arch option ${key} must be ${range}, got ${String(raw)}`);
  }
  return v as number;
}

const width = (arch: Arch, key: string, fallback: number) => archNumber(arch, key, fallback, { integer: true, min: 1 });
const rate = (arch: Arch, key: string, fallback: number) => archNumber(arch, key, fallback, { min: 0, max: 0.99 });

/** Architecture options of the value/energy net (`hp.arch` keys) with the DVN sizes as defaults. */
export interface ConvEnergyOptions {
  /** Side of the square inputs the net scores (`crop`; 24 for DVN's crops): fixes the flatten size. */
  readonly inputSize: number;
  /** `vConv1`, `vConv2`, `vConv3`: 64, 128, 128 channels (5×5, strides 1, 2, 2). */
  readonly conv: readonly [number, number, number];
  /** `vFc1`, `vFc2`: 384, 192 units. */
  readonly fc: readonly [number, number];
  /** `vDropout`: dropout rate after FC 1 while training (0.25 = DVN's keep probability 0.75). */
  readonly dropout: number;
}

export function convEnergyOptions(arch: Arch, inputSize: number): ConvEnergyOptions {
  return {
    inputSize,
    conv: [width(arch, 'vConv1', 64), width(arch, 'vConv2', 128), width(arch, 'vConv3', 128)],
    fc: [width(arch, 'vFc1', 384), width(arch, 'vFc2', 192)],
    dropout: rate(arch, 'vDropout', 0.25),
  };
}

/**
 * The DVN value network (SPEC §3): image (3 channels) and mask (1) concatenated → conv 5×5 64 s1 →
 * conv 5×5 128 s2 → conv 5×5 128 s2 → flatten → FC 384 (dropout) → FC 192 → FC 1, ReLU after every
 * layer but the last; 'same' padding, He-normal weights, zero biases. `encode(x)` is a clone of x;
 * `score(x, y)` returns the raw score [N] (the method adds a sigmoid when it wants one).
 */
export function createConvEnergy(ctx: BuildContext, opts: ConvEnergyOptions): EnergyNet {
  const s = opts.inputSize;
  const side = Math.ceil(Math.ceil(s / 2) / 2);
  const params = new ParamStore('energy', ctx.rng);
  const [c1, c2, c3] = opts.conv;
  const conv1 = conv2d(params, 'conv1', 5, 4, c1, { stride: 1 });
  const conv2 = conv2d(params, 'conv2', 5, c1, c2, { stride: 2 });
  const conv3 = conv2d(params, 'conv3', 5, c2, c3, { stride: 2 });
  const flat = side * side * c3;
  const fc1 = dense(params, 'fc1', flat, opts.fc[0]);
  const fc2 = dense(params, 'fc2', opts.fc[0], opts.fc[1]);
  const fc3 = dense(params, 'fc3', opts.fc[1], 1);
  return {
    params,
    // A clone, not x itself: the caller owns (and disposes) what encode returns.
    encode: (x) => tf.clone(x),
    score: (h: tf.Tensor, y: tf.Tensor, mode: Mode) =>
      tf.tidy(() => {
        const N = h.shape[0]!;
        if (h.rank !== 4 || h.shape[1] !== s || h.shape[2] !== s || h.shape[3] !== 3) {
          throw new AlenError(
            'SHAPE_MISMATCH',
            `weizmann energy net: built for ${s}×${s}×3 inputs (arch crop), got [${h.shape}]; crop the images (test views / augment) or set the crop size`,
          );
        }
        if (y.size !== N * s * s) {
          throw new AlenError('SHAPE_MISMATCH', `weizmann energy net: mask [${y.shape}] does not match images [${h.shape}]`);
        }
        let z = tf.concat([h, tf.reshape(y, [N, s, s, 1])], 3) as tf.Tensor4D;
        z = tf.relu(conv1(z));
        z = tf.relu(conv2(z));
        z = tf.relu(conv3(z));
        let f = tf.relu(fc1(tf.reshape(z, [N, flat])));
        f = dropout(f, opts.dropout, mode);
        f = tf.relu(fc2(f));
        return tf.reshape(fc3(f), [N]) as tf.Tensor1D;
      }),
  };
}

/** Architecture options of the FCN inference net (`hp.arch` keys). */
export interface FcnOptions {
  /** `gConv1`, `gConv2`, `gConv3`: 64, 128, 128 channels (5×5, strides 1, 2, 2). */
  readonly conv: readonly [number, number, number];
  /** `gDeconv`: channels of the first transposed conv (64); the second has 1 (the logits). */
  readonly deconv: number;
  /** `gDropout`: dropout rate on the bottleneck (after conv 3) while training (default 0.25, a guess). */
  readonly dropout: number;
}

export function fcnOptions(arch: Arch): FcnOptions {
  return {
    conv: [width(arch, 'gConv1', 64), width(arch, 'gConv2', 128), width(arch, 'gConv3', 128)],
    deconv: width(arch, 'gDeconv', 64),
    dropout: rate(arch, 'gDropout', 0.25),
  };
}

/**
 * The FCN inference network (ALEN §4; DVN's FCN baseline uses the value net's conv layers): conv 5×5
 * c1 s1 → conv 5×5 c2 s2 → conv 5×5 c3 s2 (dropout) → transposed conv 5×5 d s2 → transposed conv
 * 5×5 1 s2, ReLU between layers, logits out. Fully convolutional: any input whose sides are
 * multiples of 4 (24×24 crops, 32×32 images) gives logits of the same size, [N, H, W, 1].
 */
export function createFcnInference(ctx: BuildContext, opts: FcnOptions): InferenceNet {
  const params = new ParamStore('inference', ctx.rng);
  const [c1, c2, c3] = opts.conv;
  const conv1 = conv2d(params, 'conv1', 5, 3, c1, { stride: 1 });
  const conv2 = conv2d(params, 'conv2', 5, c1, c2, { stride: 2 });
  const conv3 = conv2d(params, 'conv3', 5, c2, c3, { stride: 2 });
  const deconv1 = conv2dTranspose(params, 'deconv1', 5, c3, opts.deconv, { stride: 2 });
  const deconv2 = conv2dTranspose(params, 'deconv2', 5, opts.deconv, 1, { stride: 2 });
  return {
    params,
    logits: (x: tf.Tensor, mode: Mode) =>
      tf.tidy(() => {
        if (x.rank !== 4 || x.shape[3] !== 3 || x.shape[1]! % 4 !== 0 || x.shape[2]! % 4 !== 0) {
          throw new AlenError('SHAPE_MISMATCH', `weizmann FCN: expected images [N, H, W, 3] with H and W multiples of 4, got [${x.shape}]`);
        }
        let z = tf.relu(conv1(x as tf.Tensor4D));
        z = tf.relu(conv2(z));
        z = tf.relu(conv3(z));
        z = dropout(z, opts.dropout, mode) as tf.Tensor4D;
        z = tf.relu(deconv1(z));
        return deconv2(z);
      }),
  };
}
