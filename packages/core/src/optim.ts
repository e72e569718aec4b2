import { tf } from './tf.js';
import type { ParamStore } from './params.js';
import type { HyperParams } from './types.js';
import { AlenError } from './errors.js';

export type NamedTensor = { name: string; tensor: tf.Tensor };

/**
 * One network's optimizer: Adam (β1 from the hyper-parameters, β2 0.999, ε 1e-8, the update of
 * Kingma & Ba as PyTorch and TensorFlow.js compute it) or plain SGD, L2 weight decay on kernels
 * only (added to the gradient, as PyTorch's `weight_decay`), and a learning-rate multiplier for
 * schedules. Written here rather than taken from tf.train so that its whole state (step count and
 * moments) is saved and restored exactly: a resumed run continues bit for bit.
 */
export class NetOptimizer {
  private t = 0;
  private multiplier = 1;
  private readonly m: tf.Variable[] = [];
  private readonly v: tf.Variable[] = [];
  private readonly beta2 = 0.999;
  private readonly eps = 1e-8;

  constructor(
    readonly params: ParamStore,
    private readonly hp: HyperParams,
    private readonly baseLr: number,
    private readonly weightDecay: number = hp.weightDecay,
    readonly kind: 'adam' | 'sgd' = hp.optimizer,
  ) {
    if (kind === 'adam') {
      for (const p of params.params) {
        this.m.push(tf.tidy(() => tf.variable(tf.zerosLike(p.variable), false)));
        this.v.push(tf.tidy(() => tf.variable(tf.zerosLike(p.variable), false)));
      }
    }
  }

  setLrMultiplier(m: number): void {
    this.multiplier = m;
  }

  /** Minimizes `loss` over this network's variables; returns the loss value (caller disposes). */
  step(loss: () => tf.Scalar): tf.Scalar {
    const list = this.params.params;
    const { value, grads } = tf.variableGrads(loss, list.map((p) => p.variable));
    this.t += 1;
    const lr = this.baseLr * this.multiplier;
    const { beta1 } = this.hp;
    const wd = this.weightDecay;
    const bc1 = 1 - Math.pow(beta1, this.t);
    const bc2 = 1 - Math.pow(this.beta2, this.t);
    tf.tidy(() => {
      list.forEach((p, i) => {
        let g = grads[p.variable.name];
        if (!g) return;
        if (wd > 0 && p.decay) g = tf.add(g, tf.mul(p.variable, wd));
        if (this.kind === 'sgd') {
          p.variable.assign(tf.sub(p.variable, tf.mul(g, lr)));
          return;
        }
        const m = this.m[i]!;
        const v = this.v[i]!;
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2)));
        const update = tf.div(tf.div(m, bc1), tf.add(tf.sqrt(tf.div(v, bc2)), this.eps));
        p.variable.assign(tf.sub(p.variable, tf.mul(update, lr)));
      });
    });
    tf.dispose(Object.values(grads));
    return value;
  }

  /** The optimizer's state: step count, then first and second moments in parameter order. */
  getState(): NamedTensor[] {
    return [
      { name: 'step', tensor: tf.scalar(this.t) },
      ...this.m.map((t, i) => ({ name: `m/${this.params.params[i]!.name}`, tensor: t as tf.Tensor })),
      ...this.v.map((t, i) => ({ name: `v/${this.params.params[i]!.name}`, tensor: t as tf.Tensor })),
    ];
  }

  setState(state: NamedTensor[], source: string): void {
    const n = this.m.length;
    if (state.length !== 1 + 2 * n || state[0]!.name !== 'step') {
      throw new AlenError('BAD_CHECKPOINT', `${source}: optimizer state has ${state.length} tensors, expected ${1 + 2 * n}`);
    }
    for (let i = 0; i < n; i++) {
      for (const [arr, t] of [[this.m, state[1 + i]!], [this.v, state[1 + n + i]!]] as const) {
        if (t.tensor.shape.join('x') !== arr[i]!.shape.join('x')) {
          throw new AlenError('BAD_CHECKPOINT', `${source}: optimizer tensor ${t.name} has shape [${t.tensor.shape}], expected [${arr[i]!.shape}]`);
        }
        arr[i]!.assign(t.tensor);
      }
    }
    this.t = state[0]!.tensor.dataSync()[0]!;
  }

  dispose(): void {
    tf.dispose([...this.m, ...this.v]);
  }
}
