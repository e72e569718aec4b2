import { describe, it, expect } from 'vitest';
import { tf, useBackend, projectSimplex, Rng } from '../src/index.js';

describe('smoke', () => {
  it('wasm backend and simplex projection', async () => {
    const info = await useBackend('wasm');
    expect(info.name).toBe('wasm');
    const y = projectSimplex(tf.tensor2d([[0.5, 0.8, -1], [0.2, 0.2, 0.2], [3, 0, 0]]));
    const v = await y.array();
    console.log(v);
    const r = new Rng(1); const a = r.next(); const st = r.state(); const b = r.next(); const r2 = Rng.fromState(st);
    expect(r2.next()).toBe(b); expect(a).not.toBe(b);
  });
});
