import { tf } from '../tf.js';
import type { Rng } from '../rng.js';
import type { NamedTensor } from '../optim.js';
import { AlenError } from '../errors.js';

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
  /** What it keeps, oldest batch first, named `replay/<batch>/<x|y|target>` (still owned by the buffer). */
  state(): NamedTensor[];
  /** Replaces what it keeps by a {@link state}'s tensors (copied; `source` names them in errors). */
  restore(state: NamedTensor[], source: string): void;
  dispose(): void;
}

const KEYS = ['x', 'y', 'target'] as const;

export function createReplayBuffer(capacity = 50): ReplayBuffer {
  const batches: Tuples[] = [];
  const rows = (): number => batches.reduce((s, b) => s + b.x.shape[0]!, 0);
  const clear = (): void => {
    for (const b of batches.splice(0)) tf.dispose([b.x, b.y, b.target]);
  };
  const add = (t: Tuples): void => {
    batches.push({ x: tf.keep(tf.clone(t.x)), y: tf.keep(tf.clone(t.y)), target: tf.keep(tf.clone(t.target)) });
    if (batches.length > capacity) {
      const old = batches.shift()!;
      tf.dispose([old.x, old.y, old.target]);
    }
  };
  return {
    get size() {
      return rows();
    },
    add,
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
    state() {
      return batches.flatMap((b, i) => KEYS.map((k) => ({ name: `replay/${i}/${k}`, tensor: b[k] })));
    },
    restore(state, source) {
      if (state.length % KEYS.length !== 0 || state.length / KEYS.length > capacity) {
        throw new AlenError('BAD_CHECKPOINT', `${source}: replay buffer state has ${state.length} tensors, expected up to ${capacity} batches of ${KEYS.join(', ')}`);
      }
      const kept: Tuples[] = [];
      for (let i = 0; i < state.length; i += KEYS.length) {
        const [x, y, target] = KEYS.map((k, j) => {
          const t = state[i + j]!;
          if (t.name !== `replay/${i / KEYS.length}/${k}`) throw new AlenError('BAD_CHECKPOINT', `${source}: replay buffer tensor ${t.name} out of order, expected replay/${i / KEYS.length}/${k}`);
          return t.tensor;
        });
        if (x!.shape[0] !== y!.shape[0] || x!.shape[0] !== target!.shape[0]) {
          throw new AlenError('BAD_CHECKPOINT', `${source}: replay buffer batch ${i / KEYS.length} has ${x!.shape[0]} inputs, ${y!.shape[0]} outputs and ${target!.shape[0]} targets`);
        }
        kept.push({ x: x!, y: y!, target: target! });
      }
      clear();
      for (const b of kept) add(b);
    },
    dispose: clear,
  };
}
