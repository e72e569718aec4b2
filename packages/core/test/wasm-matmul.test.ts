import { describe, it, expect, beforeAll } from 'vitest';
import { tf } from '../src/tf.js';
import { useBackend } from '../src/backend.js';
import { stockWasmKernel } from '../src/kernels/install-wasm-kernel.js';
import { values } from './fixtures/values.js';

/** C[b] = op(A[b]) · op(B[b]) in float64, batch broadcast when one side has batch 1. */
function naive(a: Float32Array, as: number[], b: Float32Array, bs: number[], ta: boolean, tb: boolean) {
  const [ba, ra, ca] = as as [number, number, number];
  const [bb, rb, cb] = bs as [number, number, number];
  const M = ta ? ca : ra, K = ta ? ra : ca, N = tb ? rb : cb;
  const batch = Math.max(ba, bb);
  const out = new Float64Array(batch * M * N);
  for (let p = 0; p < batch; p++) {
    const oa = (ba === 1 ? 0 : p) * ra * ca, ob = (bb === 1 ? 0 : p) * rb * cb;
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a[oa + (ta ? k * ca + i : i * ca + k)]! * b[ob + (tb ? j * cb + k : k * cb + j)]!;
        out[p * M * N + i * N + j] = s;
      }
  }
  return { out, shape: [batch, M, N] };
}

function maxAbsErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  let err = 0;
  for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(got[i]! - want[i]!));
  return err;
}

// [batchA, rowsA, colsA] and [batchB, rowsB, colsB] for each flag pair, chosen so that both
// rewrites of A·Bᵀ run (a large B picks the swapped form, a small B the direct one).
const CASES: Array<{ a: number[]; b: number[]; ta: boolean; tb: boolean }> = [
  { a: [1, 5, 7], b: [1, 7, 3], ta: false, tb: false },
  { a: [1, 4, 30], b: [1, 50, 30], ta: false, tb: true },
  { a: [1, 40, 6], b: [1, 3, 6], ta: false, tb: true },
  { a: [1, 9, 5], b: [1, 9, 11], ta: true, tb: false },
  { a: [1, 6, 5], b: [1, 4, 6], ta: true, tb: true },
  { a: [3, 4, 8], b: [3, 10, 8], ta: false, tb: true },
  { a: [3, 8, 4], b: [1, 8, 6], ta: true, tb: false },
  { a: [2, 4, 8], b: [1, 20, 8], ta: false, tb: true },
];

describe('wasm matMul with transposed operands', () => {
  beforeAll(async () => {
    expect((await useBackend('wasm')).name).toBe('wasm');
  });

  it('replaces the stock kernel and keeps it reachable', () => {
    const ours = tf.getKernel('BatchMatMul', 'wasm') as tf.KernelConfig & { alenOwn?: boolean };
    expect(ours.alenOwn).toBe(true);
    expect(stockWasmKernel('BatchMatMul')).toBeDefined();
    expect(stockWasmKernel('BatchMatMul')).not.toBe(ours);
  });

  it('products match float64 loops for every flag pair, batch and broadcast, without leaking', () => {
    const before = tf.memory().numTensors;
    for (const c of CASES) {
      const av = values(c.a.reduce((x, y) => x * y), 1), bv = values(c.b.reduce((x, y) => x * y), 2);
      const want = naive(av, c.a, bv, c.b, c.ta, c.tb);
      const got = tf.tidy(() => tf.matMul(tf.tensor3d(av, c.a as [number, number, number]), tf.tensor3d(bv, c.b as [number, number, number]), c.ta, c.tb));
      expect(got.shape, JSON.stringify(c)).toEqual(want.shape);
      expect(maxAbsErr(got.dataSync(), want.out), JSON.stringify(c)).toBeLessThan(1e-5);
      got.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gradients of a dense layer equal those of the stock kernel', () => {
    const x = tf.tensor2d(values(6 * 40, 3), [6, 40]), w = tf.tensor2d(values(40 * 25, 4), [40, 25]), dy = tf.tensor2d(values(6 * 25, 5), [6, 25]);
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D), dy)));
    const [dx, dw] = g([x, w]);
    // dX = dY·Wᵀ, dW = Xᵀ·dY, computed by the float64 loops.
    const wantDx = naive(dy.dataSync() as Float32Array, [1, 6, 25], w.dataSync() as Float32Array, [1, 40, 25], false, true).out;
    const wantDw = naive(x.dataSync() as Float32Array, [1, 6, 40], dy.dataSync() as Float32Array, [1, 6, 25], true, false).out;
    expect(maxAbsErr(dx!.dataSync(), wantDx)).toBeLessThan(1e-5);
    expect(maxAbsErr(dw!.dataSync(), wantDw)).toBeLessThan(1e-5);
    tf.dispose([x, w, dy, dx!, dw!]);
  });

  it('fused matMul with bias and relu still transposes correctly', () => {
    const av = values(4 * 6, 7), bv = values(5 * 6, 8), bias = tf.tensor1d(values(5, 9));
    const got = tf.tidy(() => tf.fused.matMul({ a: tf.tensor2d(av, [4, 6]), b: tf.tensor2d(bv, [5, 6]), transposeB: true, bias, activation: 'relu' }));
    const prod = naive(av, [1, 4, 6], bv, [1, 5, 6], false, true).out;
    const bd = bias.dataSync();
    const want = Array.from(prod, (v, i) => Math.max(0, v + bd[i % 5]!));
    expect(maxAbsErr(got.dataSync(), want)).toBeLessThan(1e-5);
    tf.dispose([got, bias]);
  });
});
