import { tf } from '../tf.js';
import type { Rng } from '../rng.js';

/** One batch of DVN training tuples: inputs, outputs and their oracle values. */
export interface Tuples {
  readonly x: tf.Tensor;
  readonly y: tf.Tensor;
  readonly target: tf.Tensor;
}

/**
 * DVN's experience replay (Gygli et al. 2017, §3.2: "one can make use of an experience replay
 * buffer"): the tuples of the last `capacity` batches, from which each step also fits a few.
 * The buffer owns its tensors; `dispose` frees them (the trainer calls it through the method).
 */
export interface ReplayBuffer {
  readonly size: number;
  /** Keeps copies of a batch's tuples, dropping the oldest batch when full. */
  add(t: Tuples): void;
  /** `n` tuples drawn uniformly with replacement from everything kept (caller disposes); none when empty. */
  sample(rng: Rng, n: number): Tuples | undefined;
  dispose(): void;
}

export function createReplayBuffer(capacity = 50): ReplayBuffer {
  const batches: Tuples[] = [];
  const rows = (): number => batches.reduce((s, b) => s + b.x.shape[0]!, 0);
  return {
    get size() {
      return rows();
    },
    add(t) {
      batches.push({ x: tf.keep(tf.clone(t.x)), y: tf.keep(tf.clone(t.y)), target: tf.keep(tf.clone(t.target)) });
      if (batches.length > capacity) {
        const old = batches.shift()!;
        tf.dispose([old.x, old.y, old.target]);
      }
    },
    sample(rng, n) {
      const total = rows();
      if (total === 0 || n <= 0) return undefined;
      const picks = Array.from({ length: n }, () => Math.floor(rng.next() * total));
      return tf.tidy(() => {
        const all = (k: keyof Tuples) => (batches.length === 1 ? batches[0]![k] : tf.concat(batches.map((b) => b[k]), 0));
        const idx = tf.tensor1d(picks, 'int32');
        return { x: tf.gather(all('x'), idx), y: tf.gather(all('y'), idx), target: tf.gather(all('target'), idx) };
      });
    },
    dispose() {
      for (const b of batches.splice(0)) tf.dispose([b.x, b.y, b.target]);
    },
  };
}
