import { beforeAll, describe, expect, it } from 'vitest';
import { AlenError, Rng, tf, useBackend } from '@alen/core';
import type { BuildContext, HyperParams } from '@alen/core';
import { bibtexTask, bookmarksTask, createInferenceNet, createValueNet } from '../src/index.js';

const F = 1836;
const L = 159;
const ctx = (arch: HyperParams['arch'] = {}, xShape = [F], yShape = [L]): BuildContext => ({
  xShape,
  yShape,
  hp: { arch } as unknown as HyperParams, // the factories read only hp.arch
  rng: new Rng(42),
});
const shapes = (names: Array<{ name: string; variable: tf.Variable }>): Record<string, number[]> =>
  Object.fromEntries(names.map((p) => [p.name, p.variable.shape]));
const std = (a: Float32Array): number => {
  const m = a.reduce((s, v) => s + v, 0) / a.length;
  return Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / a.length);
};

beforeAll(async () => {
  await useBackend('wasm');
});

describe('DVN value net', () => {
  it('scoreGrad equals the score and tf.grad of it (1 and 2 layers, with and without the global term)', async () => {
    for (const arch of [{}, { layers: 2 }, { globalUnits: 0 }] as Array<Record<string, number>>) {
      const net = createValueNet(ctx({ hidden: 20, ...arch }));
      const x = tf.randomNormal([4, F], 0, 1, 'float32', 5);
      const y = tf.randomUniform([4, L], 0, 1, 'float32', 6);
      const s = net.encode(x, { training: false });
      const want = tf.grad((yy: tf.Tensor) => tf.sum(net.score(s, yy, { training: false })))(y);
      const wantScore = net.score(s, y, { training: false });
      const got = net.scoreGrad!(s, y, { training: false });
      expect(got.grad.shape).toEqual([4, L]);
      const gd = await got.grad.data(), wd = await want.data();
      const scale = Math.max(...Array.from(wd, Math.abs));
      expect(Math.max(...Array.from(gd, (v, i) => Math.abs(v - wd[i]!))) / scale, JSON.stringify(arch)).toBeLessThan(1e-5);
      const gs = await got.score!.data(), ws = await wantScore.data();
      gs.forEach((v, i) => expect(v).toBeCloseTo(ws[i]!, 4));
      tf.dispose([x, y, s, want, wantScore, got.score!, got.grad]);
      net.params.dispose();
    }
  });

  it('scoreGrad with a per-ascent memo and without the score gives the same gradient, made once', async () => {
    const net = createValueNet(ctx({ hidden: 20 }));
    const x = tf.randomNormal([4, F], 0, 1, 'float32', 5);
    const s = net.encode(x, { training: false });
    const kept = new Map<string, tf.Tensor>();
    let made = 0;
    const memo = { get: (k: string, make: () => tf.Tensor) => kept.get(k) ?? (made++, kept.set(k, tf.keep(make())).get(k)!) };
    for (const seed of [6, 7]) {
      const y = tf.randomUniform([4, L], 0, 1, 'float32', seed);
      const plain = net.scoreGrad!(s, y, { training: false });
      const before = tf.memory().numTensors;
      const fast = net.scoreGrad!(s, y, { training: false }, { score: false, memo });
      expect(fast.score).toBeUndefined();
      expect(tf.memory().numTensors - before).toBe(seed === 6 ? 2 : 1); // the gradient (+ the memo once)
      const a = await plain.grad.data(), b = await fast.grad.data();
      expect(Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)))).toBeLessThan(1e-5);
      tf.dispose([y, plain.grad, plain.score!, fast.grad]);
    }
    expect(made).toBe(1);
    tf.dispose([x, s, ...kept.values()]);
    net.params.dispose();
  });

  it('has the reference parameters, He-normal kernels and zero biases', async () => {
    const net = bibtexTask.createEnergy(ctx({ layers: 1 }));
    expect(shapes([...net.params.params])).toEqual({
      'fc1/kernel': [150, F],
      'fc1/bias': [150],
      'out/kernel': [L, 150],
      'out/bias': [L],
      'global/kernel': [L, 16],
      'global/out': [16, 1],
    });
    expect(std(await net.params.get('fc1/kernel').data() as Float32Array)).toBeCloseTo(Math.sqrt(2 / F), 3);
    expect(std(await net.params.get('global/kernel').data() as Float32Array)).toBeCloseTo(Math.sqrt(2 / L), 2);
    expect(Math.max(...(await net.params.get('out/bias').data()))).toBe(0);
    expect(net.params.params.filter((p) => p.decay).map((p) => p.name)).toEqual(['fc1/kernel', 'out/kernel', 'global/kernel', 'global/out']);
    net.params.dispose();
  });

  it('bookmarks variant: a second softplus layer and a bias-free output matrix', () => {
    const net = bookmarksTask.createEnergy(ctx({}, [2150], [208]));
    expect(shapes([...net.params.params])).toEqual({
      'fc1/kernel': [150, 2150],
      'fc1/bias': [150],
      'fc2/kernel': [150, 150],
      'fc2/bias': [150],
      'out/kernel': [208, 150],
      'global/kernel': [208, 16],
      'global/out': [16, 1],
    });
    const s = net.encode(tf.ones([2, 2150]), { training: false });
    expect(s.shape).toEqual([2, 208]);
    tf.dispose(s);
    net.params.dispose();
  });

  it('encode → [B, L], score → [B] = Σ y·s + w2ᵀ softplus(Wpᵀ y), arch options apply', async () => {
    const net = createValueNet(ctx({ hidden: 20, globalUnits: 5 }));
    expect(net.params.get('fc1/kernel').shape).toEqual([20, F]);
    const x = tf.randomNormal([3, F], 0, 1, 'float32', 1);
    const y = tf.randomUniform([3, L], 0, 1, 'float32', 2);
    const s = net.encode(x, { training: false });
    const v = net.score(s, y, { training: false });
    expect(s.shape).toEqual([3, L]);
    expect(v.shape).toEqual([3]);
    const [sv, yv, Wp, w2, vv] = await Promise.all([s, y, net.params.get('global/kernel'), net.params.get('global/out'), v].map((t) => t.array())) as [
      number[][], number[][], number[][], number[][], number[],
    ];
    for (let b = 0; b < 3; b++) {
      let local = 0;
      for (let k = 0; k < L; k++) local += yv[b]![k]! * sv[b]![k]!;
      let global = 0;
      for (let g = 0; g < 5; g++) {
        let z = 0;
        for (let k = 0; k < L; k++) z += yv[b]![k]! * Wp[k]![g]!;
        global += Math.log1p(Math.exp(z)) * w2[g]![0]!;
      }
      expect(vv[b]).toBeCloseTo(local + global, 3);
    }
    tf.dispose([x, y, s, v]);
    net.params.dispose();
  });

  it('∂score/∂y matches a finite difference and the analytic gradient, without leaking tensors', async () => {
    const net = createValueNet(ctx());
    const x = tf.randomNormal([2, F], 0, 1, 'float32', 3);
    const s = net.encode(x, { training: false });
    const y0 = Float32Array.from({ length: 2 * L }, (_, i) => ((i * 37) % 100) / 100);
    const mode = { training: false };
    const before = tf.memory().numTensors;
    const score = async (y: Float32Array): Promise<Float32Array> => {
      const t = tf.tidy(() => net.score(s, tf.tensor2d(y, [2, L]), mode));
      const v = (await t.data()) as Float32Array;
      t.dispose();
      return v;
    };
    const gradT = tf.tidy(() => tf.grad((y: tf.Tensor) => tf.sum(net.score(s, y, mode)))(tf.tensor2d(y0, [2, L])));
    const grad = (await gradT.data()) as Float32Array;
    gradT.dispose();
    // analytic: s + (sigmoid(y Wp) ⊙ w2ᵀ) Wpᵀ
    const analyticT = tf.tidy(() => {
      const Wp = net.params.get('global/kernel') as tf.Tensor2D;
      const w2 = net.params.get('global/out');
      const z = tf.matMul(tf.tensor2d(y0, [2, L]), Wp);
      return tf.add(s, tf.matMul(tf.mul(tf.sigmoid(z), tf.reshape(w2, [1, -1])), Wp, false, true));
    });
    const analytic = (await analyticT.data()) as Float32Array;
    analyticT.dispose();
    const eps = 1e-2;
    for (const i of [0, 5, 77, 158, 159, 200, 317]) {
      const up = Float32Array.from(y0);
      const down = Float32Array.from(y0);
      up[i]! += eps;
      down[i]! -= eps;
      const b = Math.floor(i / L);
      const fd = ((await score(up))[b]! - (await score(down))[b]!) / (2 * eps);
      expect(Math.abs(grad[i]! - fd)).toBeLessThan(2e-3 * Math.max(1, Math.abs(fd)));
    }
    for (let i = 0; i < grad.length; i++) expect(grad[i]).toBeCloseTo(analytic[i]!, 4);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, s]);
    net.params.dispose();
  });

  for (const option of ['inputDropout', 'hiddenDropout']) {
    it(`${option} acts only in training`, async () => {
      const net = createValueNet(ctx({ [option]: 0.5 }));
      const plain = createValueNet(ctx());
      const x = tf.ones([4, F]);
      const a = net.encode(x, { training: false });
      const b = net.encode(x, { training: false });
      const c = net.encode(x, { training: true, rng: new Rng(1) });
      const d = plain.encode(x, { training: true, rng: new Rng(1) });
      expect(await a.data()).toEqual(await b.data());
      expect(await c.data()).not.toEqual(await a.data());
      expect(await d.data()).toEqual(await a.data());
      tf.dispose([x, a, b, c, d]);
      net.params.dispose();
      plain.params.dispose();
    });
  }

  it('rejects bad architecture options', () => {
    expect(() => createValueNet(ctx({ layers: 3 }))).toThrow(AlenError);
    expect(() => createValueNet(ctx({ hidden: 'many' }))).toThrow(/hidden must be an integer/);
    expect(() => createInferenceNet(ctx({ gInit: 'xavier' }))).toThrow(/gInit must be one of/);
  });
});

describe('inference net', () => {
  it('x → 150 ReLU → 150 ReLU → L logits with PyTorch init, dropout only in training', async () => {
    const net = createInferenceNet(ctx());
    expect(shapes([...net.params.params])).toEqual({
      'fc1/kernel': [150, F],
      'fc1/bias': [150],
      'fc2/kernel': [150, 150],
      'fc2/bias': [150],
      'out/kernel': [L, 150],
      'out/bias': [L],
    });
    const k = (await net.params.get('fc1/kernel').data()) as Float32Array;
    const lim = 1 / Math.sqrt(F);
    const kMax = k.reduce((a, b) => Math.max(a, Math.abs(b)), 0);
    expect(kMax).toBeLessThanOrEqual(lim);
    expect(kMax).toBeGreaterThan(0.99 * lim);
    const x = tf.randomNormal([5, F], 0, 1, 'float32', 4);
    const before = tf.memory().numTensors;
    const e1 = net.logits(x, { training: false });
    const e2 = net.logits(x, { training: false });
    const t1 = net.logits(x, { training: true, rng: new Rng(9) });
    expect(e1.shape).toEqual([5, L]);
    expect(await e1.data()).toEqual(await e2.data());
    expect(await t1.data()).not.toEqual(await e1.data());
    tf.dispose([e1, e2, t1]);
    expect(tf.memory().numTensors).toBe(before);
    const noDrop = createInferenceNet(ctx({ gDropout: 0, gHidden: 10, gInit: 'he' }));
    expect(noDrop.params.get('fc2/kernel').shape).toEqual([10, 10]);
    const a = noDrop.logits(x, { training: true, rng: new Rng(1) });
    const b = noDrop.logits(x, { training: false });
    expect(await a.data()).toEqual(await b.data());
    tf.dispose([x, a, b]);
    net.params.dispose();
    noDrop.params.dispose();
  });
});
