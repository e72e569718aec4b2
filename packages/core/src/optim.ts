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
 *
 * With `hp.emaDecay` > 0 it also keeps an exponential moving average of the weights (Polyak
 * averaging, Keras's `use_ema`), decay min(emaDecay, (1 + t)/(10 + t)) at step t as in
 * TensorFlow's ExponentialMovingAverage; `swapAverage` exchanges it with the live weights.
 */
export class NetOptimizer {
  private t = 0;
  private multiplier = 1;
  private readonly m: tf.Variable[] = [];
  private readonly v: tf.Variable[] = [];
  private readonly avg: tf.Variable[] = [];
  private readonly emaDecay: number;
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
    this.emaDecay = hp.emaDecay ?? 0;
    if (this.emaDecay > 0) for (const p of params.params) this.avg.push(tf.tidy(() => tf.variable(tf.clone(p.variable), false)));
  }

  /** Whether this optimizer keeps a moving average of the weights. */
  get averaging(): boolean {
    return this.avg.length > 0;
  }

  /** Exchanges the live weights with their moving average (twice restores them exactly). */
  swapAverage(): void {
    this.params.params.forEach((p, i) => {
      const live = tf.clone(p.variable);
      p.variable.assign(this.avg[i]!);
      this.avg[i]!.assign(live);
      live.dispose();
    });
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
      if (!this.averaging) return;
      const d = Math.min(this.emaDecay, (1 + this.t) / (10 + this.t));
      list.forEach((p, i) => this.avg[i]!.assign(tf.add(tf.mul(this.avg[i]!, d), tf.mul(p.variable, 1 - d))));
    });
    tf.dispose(Object.values(grads));
    return value;
  }

  /** The state tensors after the step count, named `<kind>/<param>`, in parameter order. */
  private slots(): NamedTensor[] {
    const named = (kind: string, arr: tf.Variable[]) => arr.map((t, i) => ({ name: `${kind}/${this.params.params[i]!.name}`, tensor: t as tf.Tensor }));
    return [...named('m', this.m), ...named('v', this.v), ...named('ema', this.avg)];
  }

  /** The optimizer's state: step count, then first and second moments and the weights' average, in parameter order. */
  getState(): NamedTensor[] {
    return [{ name: 'step', tensor: tf.scalar(this.t) }, ...this.slots()];
  }

  setState(state: NamedTensor[], source: string): void {
    const slots = this.slots();
    if (state.length !== 1 + slots.length || state[0]!.name !== 'step') {
      throw new AlenError('BAD_CHECKPOINT', `${source}: optimizer state has ${state.length} tensors, expected ${1 + slots.length}${this.averaging ? ' (with the weights\' moving average: emaDecay > 0)' : ''}`);
    }
    slots.forEach((slot, i) => {
      const t = state[1 + i]!;
      if (t.tensor.shape.join('x') !== slot.tensor.shape.join('x')) {
        throw new AlenError('BAD_CHECKPOINT', `${source}: optimizer tensor ${t.name} has shape [${t.tensor.shape}], expected [${slot.tensor.shape}]`);
      }
      (slot.tensor as tf.Variable).assign(t.tensor);
    });
    this.t = state[0]!.tensor.dataSync()[0]!;
  }

  dispose(): void {
    tf.dispose([...this.m, ...this.v, ...this.avg]);
  }
}
