import { ParamStore, archNumber, archString, dense, dropout, reshapeIfNeeded, tf } from '@alen/core';
import type { BuildContext, EnergyNet, Init, InferenceNet, Mode, ScoreGradOptions } from '@alen/core';

const INITS: readonly Init[] = ['he', 'glorot', 'torch', 'zeros'];

function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Architecture defaults a task can override per dataset (Bookmarks: `layers: 2`). */
export interface MultilabelArchDefaults {
  readonly layers?: number;
}

/**
 * The DVN value net (../shared/SPEC.md §3): local scores s = W2 softplus(W1 x + b1) + b2 (Bookmarks,
 * `layers: 2`: s = W3 softplus(W2 softplus(W1 x + b1) + b2), W3 without bias), and
 * v(x, y) = Σ_i y_i s_i + w2ᵀ softplus(Wpᵀ y) (global term: `globalUnits` units, no biases).
 * `encode(x)` returns s [B, L]; `score(s, y)` the raw value [B] (core adds the sigmoid).
 * He-normal kernels, zero biases.
 * Options (`hp.arch`): hidden (150), globalUnits (16), layers (1 | 2), inputDropout (0),
 * hiddenDropout (0: dropout on the last hidden layer, in training mode).
 */
export function createValueNet(ctx: BuildContext, defaults: MultilabelArchDefaults = {}): EnergyNet {
  const arch = ctx.hp.arch;
  const F = shapeSize(ctx.xShape);
  const L = shapeSize(ctx.yShape);
  const H = archNumber(arch, 'hidden', 150, { min: 1, integer: true });
  const G = archNumber(arch, 'globalUnits', 16, { min: 0, integer: true });
  const layers = archNumber(arch, 'layers', defaults.layers ?? 1, { min: 1, max: 2, integer: true });
  const inputDropout = archNumber(arch, 'inputDropout', 0, { min: 0, max: 0.99 });
  const hiddenDropout = archNumber(arch, 'hiddenDropout', 0, { min: 0, max: 0.99 });

  const params = new ParamStore('energy', ctx.rng);
  const fc1 = dense(params, 'fc1', F, H, { init: 'he' });
  const fc2 = layers === 2 ? dense(params, 'fc2', H, H, { init: 'he' }) : null;
  const out = dense(params, 'out', H, L, { init: 'he', bias: layers === 1 });
  const Wp = G > 0 ? params.add('global/kernel', [L, G], 'he', { fanIn: L }) : null;
  const w2 = G > 0 ? params.add('global/out', [G, 1], 'he', { fanIn: G }) : null;

  return {
    params,
    encode(x: tf.Tensor, mode: Mode): tf.Tensor {
      return tf.tidy(() => {
        let h = tf.softplus(fc1(dropout(tf.reshape(x, [-1, F]), inputDropout, mode)));
        if (fc2) h = tf.softplus(fc2(h));
        return out(dropout(h, hiddenDropout, mode));
      });
    },
    score(s: tf.Tensor, y: tf.Tensor): tf.Tensor1D {
      return tf.tidy(() => {
        const y2 = reshapeIfNeeded<tf.Tensor2D>(y, [-1, L]);
        const local = tf.sum(tf.mul(y2, s), 1);
        if (!Wp || !w2) return local as tf.Tensor1D;
        const global = tf.reshape(tf.matMul(tf.softplus(tf.matMul(y2, Wp as tf.Tensor2D)), w2 as tf.Tensor2D), [-1]);
        return tf.add(local, global) as tf.Tensor1D;
      });
    },
    // ∂v/∂y = s + sigmoid(y Wp) (w2 ⊙ Wpᵀ): a third of the kernels of tf.grad per ascent step,
    // fewer still with the back-projection w2 ⊙ Wpᵀ memoized per ascent and no score when the
    // ascent is normalized.
    scoreGrad(s: tf.Tensor, y: tf.Tensor, _mode: Mode, options: ScoreGradOptions = {}) {
      return tf.tidy(() => {
        const y2 = reshapeIfNeeded<tf.Tensor2D>(y, [-1, L]);
        const s2 = s as tf.Tensor2D;
        const withScore = options.score !== false;
        const local = () => tf.sum(tf.mul(y2, s2), 1) as tf.Tensor1D;
        if (!Wp || !w2) return { grad: reshapeIfNeeded(tf.clone(s2), y.shape), ...(withScore ? { score: local() } : {}) };
        const back = () => tf.mul(w2, tf.transpose(Wp)) as tf.Tensor2D;
        const M = (options.memo ? options.memo.get('global/back', back) : back()) as tf.Tensor2D;
        const a = tf.matMul(y2, Wp as tf.Tensor2D);
        const grad = reshapeIfNeeded(tf.add(s2, tf.matMul(tf.sigmoid(a), M)), y.shape);
        if (!withScore) return { grad };
        const score = tf.add(local(), tf.reshape(tf.matMul(tf.softplus(a), w2 as tf.Tensor2D), [-1])) as tf.Tensor1D;
        return { score, grad };
      });
    },
  };
}

/**
 * The inference network g(x) for ALEN and the InfNet baseline: x → gHidden ReLU → dropout →
 * gHidden ReLU → dropout → L logits. Options (`hp.arch`): gHidden (150), gDropout (0.5: without
 * it g memorises Bibtex's train split within a few epochs), gInit ('torch' = PyTorch's Linear
 * default, or 'he' / 'glorot').
 */
export function createInferenceNet(ctx: BuildContext): InferenceNet {
  const arch = ctx.hp.arch;
  const F = shapeSize(ctx.xShape);
  const L = shapeSize(ctx.yShape);
  const H = archNumber(arch, 'gHidden', 150, { min: 1, integer: true });
  const rate = archNumber(arch, 'gDropout', 0.5, { min: 0, max: 0.99 });
  const init = archString(arch, 'gInit', 'torch', INITS);

  const params = new ParamStore('inference', ctx.rng);
  const fc1 = dense(params, 'fc1', F, H, { init });
  const fc2 = dense(params, 'fc2', H, H, { init });
  const out = dense(params, 'out', H, L, { init });
  return {
    params,
    logits(x: tf.Tensor, mode: Mode): tf.Tensor {
      return tf.tidy(() => {
        const h1 = dropout(tf.relu(fc1(tf.reshape(x, [-1, F]))), rate, mode);
        const h2 = dropout(tf.relu(fc2(h1)), rate, mode);
        return out(h2);
      });
    },
  };
}
