import { tf } from './tf.js';
import type { Rng } from './rng.js';
import { AlenError } from './errors.js';

export type Init = 'he' | 'glorot' | 'torch' | 'zeros';

export interface Param {
  /** Logical name inside the store (`fc1/kernel`), stable across runs; used in checkpoints. */
  readonly name: string;
  readonly variable: tf.Variable;
  /** Whether weight decay applies (kernels yes, biases no). */
  readonly decay: boolean;
  /** A dense kernel, stored [out, in] since checkpoint format 2 ([in, out] before). */
  readonly denseKernel?: boolean;
}

let uid = 0;

/**
 * The variables of one network, in creation order, with stable logical names. TensorFlow.js
 * needs globally unique variable names, so each store adds a private suffix.
 */
export class ParamStore {
  private readonly list: Param[] = [];
  private readonly suffix = `__${uid++}`;

  constructor(readonly scope: string, private readonly rng: Rng) {}

  get params(): readonly Param[] {
    return this.list;
  }

  get variables(): tf.Variable[] {
    return this.list.map((p) => p.variable);
  }

  get(name: string): tf.Variable {
    const p = this.list.find((q) => q.name === name);
    if (!p) throw new AlenError('BAD_CONFIG', `${this.scope}: no parameter '${name}' (have ${this.list.map((q) => q.name).join(', ')})`);
    return p.variable;
  }

  /** Creates a trainable variable. `fanIn` is needed for he/glorot/torch inits. */
  add(name: string, shape: number[], init: Init, opts: { fanIn?: number; fanOut?: number; decay?: boolean; denseKernel?: boolean } = {}): tf.Variable {
    if (this.list.some((p) => p.name === name)) {
      throw new AlenError('BAD_CONFIG', `${this.scope}: parameter '${name}' defined twice`);
    }
    const fanIn = opts.fanIn ?? shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const fanOut = opts.fanOut ?? shape[shape.length - 1]!;
    const seed = this.rng.opSeed();
    const value = tf.tidy(() => {
      switch (init) {
        case 'zeros':
          return tf.zeros(shape);
        case 'he':
          return tf.mul(tf.randomNormal(shape, 0, 1, 'float32', seed), Math.sqrt(2 / fanIn));
        case 'glorot': {
          const lim = Math.sqrt(6 / (fanIn + fanOut));
          return tf.randomUniform(shape, -lim, lim, 'float32', seed);
        }
        case 'torch': {
          const lim = 1 / Math.sqrt(fanIn);
          return tf.randomUniform(shape, -lim, lim, 'float32', seed);
        }
      }
    });
    const variable = tf.variable(value, true, `${this.scope}/${name}${this.suffix}`);
    value.dispose();
    this.list.push({ name, variable, decay: opts.decay ?? init !== 'zeros', ...(opts.denseKernel ? { denseKernel: true } : {}) });
    return variable;
  }

  /**
   * Copies values in from tensors keyed by `prefix + logical name` (checkpoint load). Every
   * parameter must be present with its exact shape; nothing is assigned unless all fit.
   */
  assign(values: ReadonlyMap<string, tf.Tensor>, source: string, prefix = ''): void {
    for (const p of this.list) {
      const v = values.get(prefix + p.name);
      if (!v) throw new AlenError('BAD_CHECKPOINT', `${source}: missing weight '${prefix}${p.name}'`);
      if (v.shape.join('x') !== p.variable.shape.join('x')) {
        throw new AlenError(
          'BAD_CHECKPOINT',
          `${source}: weight '${prefix}${p.name}' has shape [${v.shape}] but the network expects [${p.variable.shape}]`,
        );
      }
    }
    for (const p of this.list) p.variable.assign(values.get(prefix + p.name)!);
  }

  /** Copies of the current values keyed by `prefix + logical name` (caller disposes). */
  snapshot(prefix = ''): Map<string, tf.Tensor> {
    return new Map(this.list.map((p) => [prefix + p.name, tf.clone(p.variable)]));
  }

  dispose(): void {
    for (const p of this.list) p.variable.dispose();
    this.list.length = 0;
  }
}

/**
 * A fully connected layer `x Wᵀ + b` over the last axis. The kernel is stored as
 * [outUnits, inUnits], PyTorch's Linear layout: on wasm a product with a freshly updated right
 * operand first repacks it (one pass over the weights, every step), while `x·Wᵀ` is computed as
 * (W·xᵀ)ᵀ, which packs only the small xᵀ (see kernels/wasm-batch-matmul.ts).
 */
export function dense(
  store: ParamStore,
  name: string,
  inUnits: number,
  outUnits: number,
  opts: { init?: Init; bias?: boolean } = {},
): (x: tf.Tensor) => tf.Tensor {
  const W = store.add(`${name}/kernel`, [outUnits, inUnits], opts.init ?? 'he', { fanIn: inUnits, fanOut: outUnits, denseKernel: true });
  const b = opts.bias === false ? null : store.add(`${name}/bias`, [outUnits], opts.init === 'torch' ? 'torch' : 'zeros', { fanIn: inUnits, decay: false });
  return (x) => {
    const x2 = x.rank === 2 ? (x as tf.Tensor2D) : tf.reshape(x, [-1, inUnits]) as tf.Tensor2D;
    let y: tf.Tensor = tf.matMul(x2, W as tf.Tensor2D, false, true);
    if (x.rank !== 2) y = tf.reshape(y, [...x.shape.slice(0, -1), outUnits]);
    return b ? tf.add(y, b) : y;
  };
}

/** A 2-D convolution, NHWC, 'same' padding. */
export function conv2d(
  store: ParamStore,
  name: string,
  kernel: number,
  inChannels: number,
  outChannels: number,
  opts: { stride?: number; init?: Init; bias?: boolean } = {},
): (x: tf.Tensor4D) => tf.Tensor4D {
  const stride = opts.stride ?? 1;
  const fanIn = kernel * kernel * inChannels;
  const W = store.add(`${name}/kernel`, [kernel, kernel, inChannels, outChannels], opts.init ?? 'he', { fanIn });
  const b = opts.bias === false ? null : store.add(`${name}/bias`, [outChannels], 'zeros', { decay: false });
  return (x) => {
    const y = tf.conv2d(x, W as tf.Tensor4D, stride, 'same');
    return b ? tf.add(y, b) : y;
  };
}

/** A transposed 2-D convolution ("deconvolution"), NHWC, 'same' padding: output is `stride` times larger. */
export function conv2dTranspose(
  store: ParamStore,
  name: string,
  kernel: number,
  inChannels: number,
  outChannels: number,
  opts: { stride?: number; init?: Init; bias?: boolean } = {},
): (x: tf.Tensor4D) => tf.Tensor4D {
  const stride = opts.stride ?? 2;
  const fanIn = kernel * kernel * inChannels;
  // tf.conv2dTranspose takes its filter as [k, k, outChannels, inChannels].
  const W = store.add(`${name}/kernel`, [kernel, kernel, outChannels, inChannels], opts.init ?? 'he', { fanIn, fanOut: outChannels });
  const b = opts.bias === false ? null : store.add(`${name}/bias`, [outChannels], 'zeros', { decay: false });
  return (x) => {
    const [n, h, w] = x.shape;
    const y = tf.conv2dTranspose(x, W as tf.Tensor4D, [n, h * stride, w * stride, outChannels], stride, 'same');
    return b ? tf.add(y, b) : y;
  };
}

/** Dropout with a seed from the mode's RNG; identity outside training or when `rate` is 0. */
export function dropout(x: tf.Tensor, rate: number, mode: { training: boolean; rng?: Rng }): tf.Tensor {
  if (!mode.training || rate <= 0) return x;
  return tf.dropout(x, rate, undefined, mode.rng ? mode.rng.opSeed() : undefined);
}
