import { describe, it, expect, beforeAll, vi } from 'vitest';
import { tf } from '../src/tf.js';
import { useBackend } from '../src/backend.js';
import { registerConvGradients } from '../src/conv-gradients.js';
import { values } from './fixtures/values.js';

type Pad = 'same' | 'valid' | number;
type Shape4 = [number, number, number, number];

/** TF's output size and leading padding of one axis. */
function axis(len: number, k: number, s: number, pad: Pad): { out: number; lead: number } {
  if (pad === 'valid') return { out: Math.ceil((len - k + 1) / s), lead: 0 };
  if (pad === 'same') {
    const out = Math.ceil(len / s);
    return { out, lead: Math.floor(Math.max((out - 1) * s + k - len, 0) / 2) };
  }
  return { out: Math.floor((len + 2 * pad - k) / s) + 1, lead: pad };
}

/** Forward conv and both gradients of <dy, conv2d(x, w)> in float64 loops (NHWC, dilation 1). */
function naive(x: Float32Array, xs: Shape4, w: Float32Array, ws: Shape4, dy: Float32Array | null, s: [number, number], pad: Pad) {
  const [N, H, W, C] = xs;
  const [KH, KW, , O] = ws;
  const ah = axis(H, KH, s[0], pad), aw = axis(W, KW, s[1], pad);
  const [HO, WO] = [ah.out, aw.out];
  const y = new Float64Array(N * HO * WO * O);
  const dx = new Float64Array(x.length);
  const dw = new Float64Array(w.length);
  for (let n = 0; n < N; n++)
    for (let i = 0; i < HO; i++)
      for (let j = 0; j < WO; j++)
        for (let a = 0; a < KH; a++) {
          const h = i * s[0] + a - ah.lead;
          if (h < 0 || h >= H) continue;
          for (let b = 0; b < KW; b++) {
            const v = j * s[1] + b - aw.lead;
            if (v < 0 || v >= W) continue;
            for (let c = 0; c < C; c++) {
              const xi = ((n * H + h) * W + v) * C + c;
              for (let o = 0; o < O; o++) {
                const wi = ((a * KW + b) * C + c) * O + o;
                const yi = ((n * HO + i) * WO + j) * O + o;
                y[yi] += x[xi] * w[wi];
                if (dy) {
                  dx[xi] += dy[yi] * w[wi];
                  dw[wi] += dy[yi] * x[xi];
                }
              }
            }
          }
        }
  return { y, dx, dw, outShape: [N, HO, WO, O] as Shape4 };
}

function maxRelErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  let scale = 1e-6, err = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(got[i] - want[i]));
  return err / scale;
}

/** dx and dW of sum(conv2d(x, w) * dy) through the registered gradient. */
async function convGrads(x: tf.Tensor4D, w: tf.Tensor4D, dy: tf.Tensor4D, s: number | [number, number], pad: Pad, format: 'NHWC' | 'NCHW' = 'NHWC') {
  const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad, format), dy)));
  const [dx, dw] = g([x, w]);
  const out = { dx: await dx.data(), dw: await dw.data() };
  tf.dispose([dx, dw]);
  return out;
}

interface Case { size: [number, number]; k: number; s: [number, number]; pad: Pad }

function cases(): Case[] {
  const out: Case[] = [];
  for (const size of [7, 8, 24])
    for (const k of [1, 2, 3, 4, 5])
      for (const s of [1, 2, 3])
        for (const pad of ['same', 'valid'] as const) {
          if (size === 24 && (k % 2 === 0 || s === 3)) continue;
          out.push({ size: [size, size], k, s: [s, s], pad });
        }
  out.push({ size: [7, 10], k: 3, s: [2, 1], pad: 'same' }, { size: [9, 6], k: 4, s: [1, 2], pad: 'valid' });
  out.push({ size: [8, 8], k: 3, s: [2, 2], pad: 1 }, { size: [7, 7], k: 5, s: [1, 1], pad: 2 });
  return out;
}

function fixture(c: Case, ci = 3, co = 4, n = 2) {
  const xs: Shape4 = [n, c.size[0], c.size[1], ci];
  const ws: Shape4 = [c.k, c.k, ci, co];
  const xv = values(xs.reduce((a, b) => a * b), 1), wv = values(ws.reduce((a, b) => a * b), 2);
  const { outShape } = naive(xv, xs, wv, ws, null, c.s, c.pad);
  const dyv = values(outShape.reduce((a, b) => a * b), 3);
  const ref = naive(xv, xs, wv, ws, dyv, c.s, c.pad);
  return { xs, ws, xv, wv, dyv, outShape, ref };
}

const label = (c: Case) => `${c.size.join('x')} k${c.k} s${c.s.join(',')} ${c.pad}`;

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`conv2d gradients from forward ops (${backend})`, () => {
    beforeAll(async () => {
      expect((await useBackend(backend)).name).toBe(backend);
    });

    it('dx and dW match float64 loops for strides 1-3, kernels 1-5, same/valid/numeric padding', async () => {
      await useBackend(backend);
      const before = tf.memory().numTensors;
      for (const c of cases()) {
        const f = fixture(c);
        const x = tf.tensor4d(f.xv, f.xs), w = tf.tensor4d(f.wv, f.ws), dy = tf.tensor4d(f.dyv, f.outShape);
        const g = await convGrads(x, w, dy, c.s, c.pad);
        tf.dispose([x, w, dy]);
        expect(maxRelErr(g.dx, f.ref.dx), `dx ${label(c)}`).toBeLessThan(2e-6);
        expect(maxRelErr(g.dw, f.ref.dw), `dW ${label(c)}`).toBeLessThan(2e-6);
      }
      expect(tf.memory().numTensors).toBe(before);
    });

    it('conv2dTranspose input and filter gradients match the adjoint conv', async () => {
      await useBackend(backend);
      for (const [k, h] of [[3, 4], [4, 5], [5, 3]]) {
        // conv2dTranspose(u, W) with output shape xs is the input gradient of conv2d(x: xs, W) at dy = u,
        // so <R, convT(u, W)> = <conv2d(R, W), u>: d/du = conv2d(R, W), d/dW = conv2d's dW at (R, u).
        const c: Case = { size: [2 * h, 2 * h], k, s: [2, 2], pad: 'same' };
        const f = fixture(c, 5, 3);
        const R = tf.tensor4d(f.xv, f.xs), W = tf.tensor4d(f.wv, f.ws), u = tf.tensor4d(f.dyv, f.outShape);
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, f.xs, 2, 'same'), R)));
        const [du, dW] = g([u, W]);
        expect(maxRelErr(await du.data(), f.ref.y), `du k${k}`).toBeLessThan(2e-6);
        expect(maxRelErr(await dW.data(), f.ref.dw), `dW k${k}`).toBeLessThan(2e-6);
        tf.dispose([R, W, u, du, dW]);
      }
    });

    it('match a central finite difference', async () => {
      await useBackend(backend);
      // The loss is linear in x and in W, so a large step keeps float32 rounding well below the tolerance.
      const eps = 0.25;
      const check = async (loss: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Scalar, xs: Shape4, ws: Shape4) => {
        const xv = values(xs.reduce((a, b) => a * b), 7), wv = values(ws.reduce((a, b) => a * b), 8);
        const x = tf.tensor4d(xv, xs), w = tf.tensor4d(wv, ws);
        const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => loss(a as tf.Tensor4D, b as tf.Tensor4D))([x, w]);
        const grads = [await dx.data(), await dw.data()];
        const base = [xv, wv];
        let worst = 0;
        for (let which = 0; which < 2; which++) {
          const shape = which === 0 ? xs : ws;
          for (let t = 0; t < 12; t++) {
            const i = Math.floor(((t * 7919 + 13) % 1009) / 1009 * base[which].length);
            const at = (d: number) => {
              const v = base[which].slice();
              v[i] += d;
              return tf.tidy(() => {
                const p = tf.tensor4d(v, shape);
                return loss(which === 0 ? p : x, which === 0 ? w : p).dataSync()[0];
              });
            };
            const fd = (at(eps) - at(-eps)) / (2 * eps);
            worst = Math.max(worst, Math.abs(fd - grads[which][i]) / Math.max(1, Math.abs(fd)));
          }
        }
        tf.dispose([x, w, dx, dw]);
        return worst;
      };
      const r = tf.tensor4d(values(2 * 4 * 4 * 5, 9), [2, 4, 4, 5]);
      const r2 = tf.tensor4d(values(2 * 8 * 8 * 4, 10), [2, 8, 8, 4]);
      const r3 = tf.tensor4d(values(2 * 12 * 12 * 4, 11), [2, 12, 12, 4]);
      expect(await check((x, w) => tf.sum(tf.mul(tf.conv2d(x, w, 2, 'same'), r)), [2, 7, 7, 3], [3, 3, 3, 5])).toBeLessThan(1e-3);
      expect(await check((x, w) => tf.sum(tf.mul(tf.conv2d(x, w, 1, 'valid'), r2)), [2, 12, 12, 3], [5, 5, 3, 4])).toBeLessThan(1e-3);
      expect(await check((x, w) => tf.sum(tf.mul(tf.conv2dTranspose(x, w, [2, 12, 12, 4], 2, 'same'), r3)), [2, 6, 6, 3], [3, 3, 4, 3])).toBeLessThan(1e-3);
      tf.dispose([r, r2, r3]);
    });
  });
}

describe('conv2d gradients vs the stock cpu kernels', () => {
  it('agree with Conv2DBackpropInput / Conv2DBackpropFilter run directly', async () => {
    await useBackend('cpu');
    for (const c of cases().filter((c) => (c.k === 3 || c.k === 5) && c.s[0] <= 2 && c.s[0] === c.s[1] && typeof c.pad === 'string')) {
      const f = fixture(c);
      const x = tf.tensor4d(f.xv, f.xs), w = tf.tensor4d(f.wv, f.ws), dy = tf.tensor4d(f.dyv, f.outShape);
      const g = await convGrads(x, w, dy, c.s, c.pad);
      const attrs = { strides: c.s, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined } as unknown as tf.NamedAttrMap;
      const sdx = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: f.xs }) as tf.Tensor;
      const sdw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: f.ws }) as tf.Tensor;
      expect(maxRelErr(g.dx, await sdx.data()), `dx ${label(c)}`).toBeLessThan(2e-6);
      expect(maxRelErr(g.dw, await sdw.data()), `dW ${label(c)}`).toBeLessThan(2e-6);
      tf.dispose([x, w, dy, sdx, sdw]);
    }
  });

  it('NCHW falls back to the stock gradient; registering again changes nothing', async () => {
    await useBackend('cpu');
    const before = tf.getGradient('Conv2D');
    registerConvGradients();
    registerConvGradients();
    expect(tf.getGradient('Conv2D')).toBe(before);
    expect(tf.getGradient('Conv2DBackpropInput').inputsToSave).toEqual(['dy', 'filter']);
    const c: Case = { size: [7, 7], k: 3, s: [2, 2], pad: 'same' };
    const f = fixture(c);
    const x = tf.tensor4d(f.xv, f.xs), w = tf.tensor4d(f.wv, f.ws), dy = tf.tensor4d(f.dyv, f.outShape);
    const xc = tf.transpose(x, [0, 3, 1, 2]) as tf.Tensor4D, dyc = tf.transpose(dy, [0, 3, 1, 2]) as tf.Tensor4D;
    const g = await convGrads(xc, w, dyc, c.s, c.pad, 'NCHW');
    const dx = tf.transpose(tf.tensor4d(g.dx, xc.shape), [0, 2, 3, 1]);
    expect(maxRelErr(await dx.data(), f.ref.dx)).toBeLessThan(2e-6);
    expect(maxRelErr(g.dw, f.ref.dw)).toBeLessThan(2e-6);
    tf.dispose([x, w, dy, xc, dyc, dx]);
  });
});

describe('wasm Conv2DBackpropInput / Conv2DBackpropFilter kernels from forward ops', () => {
  const run = (name: string, inputs: tf.NamedTensorMap, attrs: object) => tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;

  it('conv2dTranspose forward and both kernels match float64 loops, NHWC and NCHW, without leaks', async () => {
    await useBackend('wasm');
    const backend = tf.backend();
    const before = [tf.memory().numTensors, backend.numDataIds()];
    for (const c of cases().filter((c) => c.k >= 3 && c.s[0] === c.s[1])) {
      const f = fixture(c);
      const x = tf.tensor4d(f.xv, f.xs), w = tf.tensor4d(f.wv, f.ws), dy = tf.tensor4d(f.dyv, f.outShape);
      const attrs = { strides: c.s, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined };
      for (let rep = 0; rep < 2; rep++) {
        const t = c.s[0] === c.s[1] && typeof c.pad === 'string' ? tf.conv2dTranspose(dy, w, f.xs, c.s, c.pad) : run('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: f.xs });
        const dw = run('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: f.ws });
        expect(maxRelErr(await t.data(), f.ref.dx), `dx ${label(c)}`).toBeLessThan(2e-6);
        expect(maxRelErr(await dw.data(), f.ref.dw), `dW ${label(c)}`).toBeLessThan(2e-6);
        tf.dispose([t, dw]);
      }
      // NCHW goes through transposes; a channels-first explicit padding is converted too.
      const xc = tf.transpose(x, [0, 3, 1, 2]), dyc = tf.transpose(dy, [0, 3, 1, 2]);
      const padc = typeof c.pad === 'number' ? [[0, 0], [0, 0], [c.pad, c.pad], [c.pad, c.pad]] : c.pad;
      const cattrs = { ...attrs, pad: padc, dataFormat: 'NCHW' };
      const tc = run('Conv2DBackpropInput', { dy: dyc, filter: w }, { ...cattrs, inputShape: xc.shape });
      const dwc = run('Conv2DBackpropFilter', { x: xc, dy: dyc }, { ...cattrs, filterShape: f.ws });
      const t = tf.transpose(tc, [0, 2, 3, 1]);
      expect(maxRelErr(await t.data(), f.ref.dx), `NCHW dx ${label(c)}`).toBeLessThan(2e-6);
      expect(maxRelErr(await dwc.data(), f.ref.dw), `NCHW dW ${label(c)}`).toBeLessThan(2e-6);
      // The kernels' inputs are still intact.
      expect(Array.from(await x.data())).toEqual(Array.from(f.xv));
      expect(Array.from(await dy.data())).toEqual(Array.from(f.dyv));
      tf.dispose([x, w, dy, xc, dyc, tc, dwc, t]);
    }
    expect([tf.memory().numTensors, backend.numDataIds()]).toEqual(before);
  });

  it('registering again keeps the same kernels and warns about nothing', async () => {
    await useBackend('wasm');
    const k = tf.getKernel('Conv2DBackpropInput', 'wasm');
    const warn = vi.spyOn(console, 'warn');
    registerConvGradients();
    await useBackend('wasm');
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).toBe(k);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });
});

/** conv 5×5 s1 → s2 → s2 → dense, with a transposed conv branch for the leak check. */
function smallNet(seed: number) {
  const v = (shape: number[], scale: number, s: number) => tf.variable(tf.mul(tf.tensor(values(shape.reduce((a, b) => a * b), s), shape), scale));
  const w1 = v([5, 5, 2, 6], 0.3, seed), w2 = v([5, 5, 6, 8], 0.15, seed + 1), w3 = v([5, 5, 8, 8], 0.15, seed + 2);
  const wt = v([4, 4, 3, 8], 0.1, seed + 3), wd = v([3 * 3 * 8, 1], 0.1, seed + 4);
  const vars = [w1, w2, w3, wt, wd];
  const features = (x: tf.Tensor4D) => {
    const h1 = tf.relu(tf.conv2d(x, w1 as tf.Tensor4D, 1, 'same'));
    const h2 = tf.relu(tf.conv2d(h1, w2 as tf.Tensor4D, 2, 'same'));
    return tf.relu(tf.conv2d(h2, w3 as tf.Tensor4D, 2, 'same'));
  };
  const predict = (x: tf.Tensor4D) => tf.matMul(tf.reshape(features(x), [x.shape[0], -1]), wd as tf.Tensor2D);
  const deconv = (x: tf.Tensor4D) => tf.conv2dTranspose(features(x), wt as tf.Tensor4D, [x.shape[0], 6, 6, 3], 2, 'same');
  return { vars, predict, deconv };
}

describe('training on wasm', () => {
  it('no tensors leak over many gradient computations', async () => {
    await useBackend('wasm');
    const net = smallNet(20);
    const x = tf.tensor4d(values(4 * 12 * 12 * 2, 5), [4, 12, 12, 2]);
    const step = () => {
      const { value, grads } = tf.variableGrads(() => tf.add(tf.sum(tf.square(net.predict(x))), tf.sum(tf.square(net.deconv(x)))) as tf.Scalar);
      const finite = Object.values(grads).every((g) => Number.isFinite(tf.tidy(() => tf.sum(tf.abs(g)).dataSync()[0])));
      tf.dispose([value, ...Object.values(grads)]);
      return finite;
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 15; i++) expect(step()).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, ...net.vars]);
  });

  it('a small conv net trains with adam.minimize and its loss goes down', async () => {
    await useBackend('wasm');
    const net = smallNet(30);
    const x = tf.tensor4d(values(16 * 12 * 12 * 2, 6), [16, 12, 12, 2]);
    const target = tf.tidy(() => tf.reshape(tf.mean(tf.slice(x, [0, 3, 3, 0], [16, 6, 6, 1]), [1, 2, 3]), [16, 1]));
    const opt = tf.train.adam(0.01);
    const losses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const loss = opt.minimize(() => tf.mean(tf.square(tf.sub(net.predict(x), target))) as tf.Scalar, true, net.vars as tf.Variable[]);
      losses.push(loss!.dataSync()[0]);
      loss!.dispose();
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]).toBeLessThan(0.5 * losses[0]);
    opt.dispose();
    tf.dispose([x, target, ...net.vars]);
  });
});
