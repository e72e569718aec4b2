import { tf } from './tf.js';
import type { AscentMemo, ScoreGrad, ScoreGradOptions } from './types.js';

export interface AscentOptions {
  steps: number;
  eta: number;
  /** ALEN: step along ∇v/‖∇v‖ per example. DVN: plain gradient. */
  normalized: boolean;
  /** Differentiate sigmoid(v) instead of v (DVN). Irrelevant to the direction when normalized. */
  sigmoid: boolean;
  /** Also return the output after these step counts (0 = the start point). */
  record?: readonly number[];
  /**
   * The energy's score and ∂score/∂y in closed form (EnergyNet.scoreGrad); used instead of
   * differentiating `energyOf` on the tape when given.
   */
  scoreGrad?: (y: tf.Tensor, options: ScoreGradOptions) => ScoreGrad;
  /** Normalized steps only: the direction to normalize and take at y (default: the gradient itself). */
  feasible?: (y: tf.Tensor, g: tf.Tensor) => tf.Tensor;
}

export interface AscentResult {
  /** Output after `steps` steps. */
  y: tf.Tensor;
  /** Outputs at the `record` step counts, in the order given (caller disposes). */
  recorded: tf.Tensor[];
}

/** Σ over all but the batch axis, keeping dims, as [B, 1, ...]. */
function perExampleNorm(g: tf.Tensor): tf.Tensor {
  const axes = g.shape.slice(1).map((_, i) => i + 1);
  return tf.sqrt(tf.add(tf.sum(tf.square(g), axes, true), 1e-24));
}

/** ∂/∂y of Σ v (or Σ sigmoid(v) for DVN's plain steps) on tf.grad's tape. */
function tapeGrad(energyOf: (y: tf.Tensor) => tf.Tensor, opts: AscentOptions): (y: tf.Tensor) => tf.Tensor {
  const plainSigmoid = opts.sigmoid && !opts.normalized;
  return tf.grad((y: tf.Tensor) => tf.sum(plainSigmoid ? tf.sigmoid(energyOf(y)) : energyOf(y)));
}

/** The same gradient from the energy's closed form: σ(v)(1 − σ(v)) ∂v/∂y for DVN's plain steps. */
function closedFormGrad(scoreGrad: NonNullable<AscentOptions['scoreGrad']>, opts: AscentOptions, memo: AscentMemo): (y: tf.Tensor) => tf.Tensor {
  const plainSigmoid = opts.sigmoid && !opts.normalized;
  return (y) =>
    tf.tidy(() => {
      const { score, grad } = scoreGrad(y, { score: plainSigmoid, memo });
      if (!plainSigmoid) return grad;
      if (!score) throw new Error('EnergyNet.scoreGrad returned no score although one was asked for');
      const s = tf.sigmoid(score);
      const ds = tf.mul(s, tf.sub(1, s));
      return tf.mul(tf.reshape(ds, [-1, ...grad.shape.slice(1).map(() => 1)]), grad);
    });
}

/** A memo whose tensors outlive the step that made them; `dispose` frees them. */
function ascentMemo(): AscentMemo & { dispose(): void } {
  const kept = new Map<string, tf.Tensor>();
  return {
    get(key, make) {
      let t = kept.get(key);
      if (!t) kept.set(key, (t = tf.keep(make())));
      return t;
    },
    dispose: () => tf.dispose([...kept.values()]),
  };
}

/**
 * Projected gradient ascent on an energy: y ← P_Y(y + η·d), d = ∇y v / ‖∇y v‖ (normalized, ALEN
 * Eq. 4; with `feasible`, f / ‖f‖ for f = feasible(y, ∇y v)) or ∇y v (plain; DVN uses v = sigmoid(score)). `energyOf(y)` returns one score per
 * example and must be differentiable in y; anything it closes over is not differentiated.
 * Inside a gradient computation (tf.variableGrads) the steps are differentiable: gradients flow back
 * through them into y0 and whatever energyOf closes over (ALEN's `unrollV`). `y0` is not disposed.
 */
export function gradientAscent(
  energyOf: (y: tf.Tensor) => tf.Tensor,
  y0: tf.Tensor,
  project: (y: tf.Tensor) => tf.Tensor,
  opts: AscentOptions,
): AscentResult {
  const recordAt = opts.record ?? [];
  const last = Math.max(opts.steps, ...recordAt, 0);
  const recorded = new Map<number, tf.Tensor>();
  const keep = (t: number, y: tf.Tensor) => {
    if (recordAt.includes(t) && !recorded.has(t)) recorded.set(t, tf.clone(y));
  };
  const memo = ascentMemo();
  const grad = opts.scoreGrad ? closedFormGrad(opts.scoreGrad, opts, memo) : tapeGrad(energyOf, opts);
  let y = tf.clone(y0);
  let out: tf.Tensor | null = opts.steps === 0 ? tf.clone(y) : null;
  keep(0, y);
  try {
    for (let t = 1; t <= last; t++) {
      const next = tf.tidy(() => {
        let g = grad(y);
        if (opts.normalized && opts.feasible) g = opts.feasible(y, g);
        const d = opts.normalized ? tf.div(g, perExampleNorm(g)) : g;
        return project(tf.add(y, tf.mul(d, opts.eta)));
      });
      y.dispose();
      y = next;
      keep(t, y);
      if (t === opts.steps) out = tf.clone(y);
    }
  } finally {
    y.dispose();
    memo.dispose();
  }
  return { y: out!, recorded: recordAt.map((t) => recorded.get(t)!) };
}
