import { tf } from '../tf.js';
import type { OutputSpace } from '../types.js';
import type { Rng } from '../rng.js';

/** Flip rates of the strata: 1/2, 1/4, …, 1/512 of the output's positions. */
export const SAMPLE_STRATA = Array.from({ length: 9 }, (_, j) => 2 ** -(j + 1));

/**
 * A random output with a share `rate` of y*'s positions changed: in a box a position is flipped
 * (y → 1 − y); on a simplex the position (the last axis holds its classes) moves to a vertex of
 * another class than its argmax.
 */
function perturb(yStar: tf.Tensor, space: OutputSpace, rate: number, seed: number): tf.Tensor {
  return tf.tidy(() => {
    if (space.kind !== 'simplex') {
      const flip = tf.less(tf.randomUniform(yStar.shape, 0, 1, 'float32', seed), rate);
      return tf.where(flip, tf.sub(1, yStar), yStar);
    }
    const C = yStar.shape[yStar.shape.length - 1]!;
    const positions = yStar.shape.slice(0, -1);
    const flip = tf.less(tf.randomUniform([...positions, 1], 0, 1, 'float32', seed), rate);
    const offset = tf.floor(tf.randomUniform(positions, 1, C, 'float32', seed + 1));
    const other = tf.mod(tf.add(tf.cast(tf.argMax(yStar, -1), 'float32'), offset), C);
    const vertex = tf.cast(tf.oneHot(tf.cast(other, 'int32'), C), 'float32');
    return tf.where(tf.broadcastTo(flip, yStar.shape), vertex, yStar);
  });
}

/** The random choices of one batch's samples, drawn in order from the run's generator. */
export interface SampleDraws {
  readonly seeds: number[];
  /** One uniform per row, which picks its stratum. */
  readonly picks: number[];
}

export function drawSamples(rng: Rng, rows: number): SampleDraws {
  return { seeds: SAMPLE_STRATA.map(() => rng.opSeed()), picks: Array.from({ length: rows }, () => rng.next()) };
}

/**
 * DVN's random tuples (Gygli et al. 2017, §3.3): outputs near y* drawn with probability
 * ∝ exp(v*(y, y*)/τ) by stratified sampling. Each row gets one candidate per stratum (a flip rate
 * of {@link SAMPLE_STRATA}), the oracle values them, and one is kept with probability
 * ∝ exp(v* / τ): a small τ keeps the candidates closest to y*, a large one spreads over all rates.
 */
export function stratifiedSamples(
  yStar: tf.Tensor,
  space: OutputSpace,
  oracle: (y: tf.Tensor, yStar: tf.Tensor) => tf.Tensor,
  tau: number,
  draws: SampleDraws,
): tf.Tensor {
  return tf.tidy(() => {
    const candidates = SAMPLE_STRATA.map((rate, j) => perturb(yStar, space, rate, draws.seeds[j]!));
    const values = candidates.map((c) => oracle(c, yStar).dataSync());
    const B = yStar.shape[0]!;
    const chosen = Array.from({ length: B }, (_, i) => {
      const v = values.map((vs) => vs[i]!);
      const top = Math.max(...v);
      const w = v.map((x) => Math.exp((x - top) / tau));
      let u = draws.picks[i]! * w.reduce((a, b) => a + b, 0);
      const j = w.findIndex((x) => (u -= x) < 0);
      return j < 0 ? w.length - 1 : j;
    });
    const rowsOf = (j: number) => tf.reshape(tf.tensor1d(chosen.map((c) => (c === j ? 1 : 0))), [B, ...yStar.shape.slice(1).map(() => 1)]);
    return candidates.reduce((acc, c, j) => tf.add(acc, tf.mul(rowsOf(j), c)), tf.zerosLike(yStar));
  });
}
