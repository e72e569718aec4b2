import seedrandom from 'seedrandom';

/** Serializable state of an {@link Rng}; stored in checkpoints so a resumed run draws the same numbers. */
export interface RngState {
  readonly seed: string;
  readonly alea: object;
}

/**
 * Seeded random numbers for everything core draws in JS: shuffles, crops, tuple choices, and the
 * integer seeds handed to TensorFlow.js ops (initializers, dropout). Built on seedrandom's alea,
 * whose state can be saved and restored.
 */
export class Rng {
  private readonly prng: seedrandom.PRNG;
  readonly seedLabel: string;

  constructor(seed: number | string, state?: object) {
    this.seedLabel = String(seed);
    this.prng = state
      ? seedrandom.alea('', { state: state as unknown as true })
      : seedrandom.alea(this.seedLabel, { state: true });
  }

  static fromState(s: RngState): Rng {
    return new Rng(s.seed, s.alea);
  }

  state(): RngState {
    return { seed: this.seedLabel, alea: (this.prng as unknown as { state(): object }).state() };
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.prng.double();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.prng.double() * n);
  }

  /** A fresh non-negative 31-bit seed for a TensorFlow.js op. */
  opSeed(): number {
    return this.prng.int32() >>> 1;
  }

  /** Independent child stream, reproducible from this generator's seed and the label. */
  fork(label: string): Rng {
    return new Rng(`${this.seedLabel}/${label}`);
  }

  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }
}
