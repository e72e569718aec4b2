import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../src/tf.js';
import { useBackend } from '../src/backend.js';
import { Rng } from '../src/rng.js';
import { ParamStore } from '../src/params.js';
import { AlenError } from '../src/errors.js';
import { convEnergyNet } from '../src/nets/conv-energy.js';
import { fcnEnergyNet, fcnInference } from '../src/nets/fcn.js';

beforeAll(async () => {
  await useBackend('wasm');
});

const EVAL = { training: false };
const ctx = (seed = 1) => ({ rng: new Rng(seed) });
const TINY_ENERGY = { conv: [4, 8, 8], fc: [16, 8] };
const TINY_FCN = { conv: [4, 8, 8], deconv: [4] };
const shapesOf = (store: ParamStore) => Object.fromEntries(store.params.map((p) => [p.name, p.variable.shape]));

describe('convEnergyNet', () => {
  it('has the DVN layer sizes by default, for crops (1 channel) and full images (3 channels)', () => {
    const crop = convEnergyNet(ctx(), { inChannels: 3, outChannels: 1, height: 24, width: 24 });
    expect(crop.params.scope).toBe('energy');
    expect(crop.params.params.map((p) => p.name)).toEqual([
      'conv1/kernel', 'conv1/bias', 'conv2/kernel', 'conv2/bias', 'conv3/kernel', 'conv3/bias',
      'fc1/kernel', 'fc1/bias', 'fc2/kernel', 'fc2/bias', 'out/kernel', 'out/bias',
    ]);
    const s = shapesOf(crop.params);
    expect(s['conv1/kernel']).toEqual([5, 5, 4, 64]);
    expect(s['conv3/kernel']).toEqual([5, 5, 128, 128]);
    expect(s['fc1/kernel']).toEqual([384, 6 * 6 * 128]);
    expect(s['fc2/kernel']).toEqual([192, 384]);
    expect(s['out/kernel']).toEqual([1, 192]);
    const full = convEnergyNet(ctx(), { inChannels: 3, outChannels: 3, height: 32, width: 32, outName: 'fc3' });
    expect(shapesOf(full.params)['conv1/kernel']).toEqual([5, 5, 6, 64]);
    expect(shapesOf(full.params)['fc1/kernel']).toEqual([384, 8 * 8 * 128]);
    expect(shapesOf(full.params)['fc3/kernel']).toEqual([1, 192]);
    crop.params.dispose();
    full.params.dispose();
  });

  it('scores [N] for 1 and 3 output channels, crops and full (non-square) sizes, without leaks', async () => {
    for (const [H, W, K] of [[24, 24, 1], [32, 32, 3], [24, 32, 3], [30, 30, 1]] as const) {
      const net = convEnergyNet(ctx(), { inChannels: 3, outChannels: K, height: H, width: W, ...TINY_ENERGY });
      const x = tf.randomUniform([3, H, W, 3], 0, 1, 'float32', 2);
      const y = tf.randomUniform([3, H, W, K], 0, 1, 'float32', 3);
      const before = tf.memory().numTensors;
      const h = net.encode(x, EVAL);
      expect(h).toBe(x); // the identity by default
      const s = net.score(h, y, EVAL);
      expect(s.shape).toEqual([3]);
      expect(Array.from(await s.data()).every(Number.isFinite)).toBe(true);
      // a flat y of the right size is accepted too
      const flat = tf.reshape(y, [3, H * W * K]);
      const s2 = net.score(h, flat, EVAL);
      expect(Array.from(await s2.data())).toEqual(Array.from(await s.data()));
      tf.dispose([s, s2, flat]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, y]);
      net.params.dispose();
    }
  });

  it('clones on encode when asked', () => {
    const net = convEnergyNet(ctx(), { inChannels: 3, outChannels: 1, height: 8, width: 8, cloneOnEncode: true, ...TINY_ENERGY });
    const x = tf.zeros([1, 8, 8, 3]);
    const h = net.encode(x, EVAL);
    expect(h).not.toBe(x);
    h.dispose();
    expect(x.isDisposed).toBe(false);
    x.dispose();
    net.params.dispose();
  });

  it('has a finite, non-zero gradient w.r.t. y (1 and 3 channels) and w.r.t. every weight', async () => {
    for (const K of [1, 3]) {
      const net = convEnergyNet(ctx(K), { inChannels: 3, outChannels: K, height: 16, width: 16, dropout: 0.5, ...TINY_ENERGY });
      const x = tf.randomUniform([2, 16, 16, 3], 0, 1, 'float32', 4);
      const y = tf.randomUniform([2, 16, 16, K], 0, 1, 'float32', 5);
      const before = tf.memory().numTensors;
      const g = tf.grad((t: tf.Tensor) => tf.sum(net.score(x, t, EVAL)))(y);
      expect(g.shape).toEqual([2, 16, 16, K]);
      const gv = await g.data();
      expect(gv.every(Number.isFinite)).toBe(true);
      expect(gv.some((v) => v !== 0)).toBe(true);
      const { value, grads } = tf.variableGrads(
        () => tf.sum(net.score(x, y, { training: true, rng: new Rng(7) })) as tf.Scalar,
        net.params.variables,
      );
      expect(Object.keys(grads)).toHaveLength(net.params.variables.length);
      for (const t of Object.values(grads)) expect((await t.data()).every(Number.isFinite)).toBe(true);
      tf.dispose([g, value, ...Object.values(grads)]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, y]);
      net.params.dispose();
    }
  });

  it('applies dropout only when training', async () => {
    const net = convEnergyNet(ctx(), { inChannels: 3, outChannels: 1, height: 16, width: 16, dropout: 0.5, ...TINY_ENERGY });
    const x = tf.randomUniform([4, 16, 16, 3], 0, 1, 'float32', 6);
    const y = tf.randomUniform([4, 16, 16, 1], 0, 1, 'float32', 7);
    const read = async (mode: { training: boolean; rng?: Rng }) => {
      const s = net.score(x, y, mode);
      const v = Array.from(await s.data());
      s.dispose();
      return v;
    };
    const a = await read(EVAL);
    expect(await read(EVAL)).toEqual(a);
    const rng = new Rng(1);
    const t1 = await read({ training: true, rng });
    const t2 = await read({ training: true, rng });
    expect(t1).not.toEqual(a);
    expect(t2).not.toEqual(t1);
    const noDrop = convEnergyNet(ctx(), { inChannels: 3, outChannels: 1, height: 16, width: 16, dropout: 0, ...TINY_ENERGY });
    const s0 = noDrop.score(x, y, EVAL);
    const s1 = noDrop.score(x, y, { training: true, rng });
    expect(Array.from(await s1.data())).toEqual(Array.from(await s0.data()));
    tf.dispose([x, y, s0, s1]);
    net.params.dispose();
    noDrop.params.dispose();
  });

  it('rejects inputs of another size or channel count, and bad options', () => {
    const net = convEnergyNet(ctx(), { inChannels: 3, outChannels: 1, height: 24, width: 24, shapeHint: 'crop first', ...TINY_ENERGY });
    const before = tf.memory().numTensors;
    const big = tf.zeros([1, 32, 32, 3]);
    const bigY = tf.zeros([1, 32, 32, 1]);
    expect(() => net.score(big, bigY, EVAL)).toThrow(/built for 24×24×3 inputs, got \[1,32,32,3\]; crop first/);
    const x = tf.zeros([1, 24, 24, 3]);
    const y3 = tf.zeros([1, 24, 24, 3]);
    expect(() => net.score(x, y3, EVAL)).toThrow(/expected 1 channel/);
    tf.dispose([big, bigY, x, y3]);
    expect(tf.memory().numTensors).toBe(before);
    net.params.dispose();
    const base = { inChannels: 3, outChannels: 1, height: 24, width: 24 };
    const bad = (o: object) => () => convEnergyNet(ctx(), { ...base, ...o });
    expect(bad({ conv: [4, 0] })).toThrow(AlenError);
    expect(bad({ conv: [4, 8], strides: [1, 2, 2] })).toThrow(/2 conv widths but 3 strides/);
    expect(bad({ fc: [] })).toThrow(/option fc/);
    expect(bad({ dropout: 1 })).toThrow(/dropout must be a rate/);
    expect(bad({ outChannels: 0 })).toThrow(/outChannels/);
  });

  it('adds its variables to a given ParamStore', () => {
    const store = new ParamStore('value', new Rng(3));
    const net = convEnergyNet(store, { inChannels: 1, outChannels: 1, height: 8, width: 8, conv: [2], strides: [2], fc: [3] });
    expect(net.params).toBe(store);
    expect(store.params.map((p) => `${p.name}:${p.variable.shape}`)).toEqual([
      'conv1/kernel:5,5,2,2', 'conv1/bias:2', 'fc1/kernel:3,32', 'fc1/bias:3', 'out/kernel:1,3', 'out/bias:1',
    ]);
    store.dispose();
  });
});

describe('fcnInference', () => {
  it('has the ALEN FCN layer sizes by default', () => {
    const net = fcnInference(ctx(), { inChannels: 3, outChannels: 3 });
    expect(net.params.scope).toBe('inference');
    const s = shapesOf(net.params);
    expect(Object.keys(s)).toEqual([
      'conv1/kernel', 'conv1/bias', 'conv2/kernel', 'conv2/bias', 'conv3/kernel', 'conv3/bias',
      'deconv1/kernel', 'deconv1/bias', 'deconv2/kernel', 'deconv2/bias',
    ]);
    expect(s['conv1/kernel']).toEqual([5, 5, 3, 64]);
    expect(s['deconv1/kernel']).toEqual([5, 5, 64, 128]);
    expect(s['deconv2/kernel']).toEqual([5, 5, 3, 64]);
    net.params.dispose();
  });

  it('maps crops and full images to logits of the same size, 1 or 3 channels, without leaks', async () => {
    for (const K of [1, 3]) {
      const net = fcnInference(ctx(), { inChannels: 3, outChannels: K, ...TINY_FCN });
      const before = tf.memory().numTensors;
      for (const [H, W] of [[24, 24], [32, 32], [24, 32]] as const) {
        const x = tf.randomUniform([2, H, W, 3], 0, 1, 'float32', H + W);
        const z = net.logits(x, EVAL);
        expect(z.shape).toEqual([2, H, W, K]);
        expect((await z.data()).every(Number.isFinite)).toBe(true);
        tf.dispose([x, z]);
      }
      expect(tf.memory().numTensors).toBe(before);
      net.params.dispose();
    }
  });

  it('gets finite gradients for every weight; dropout only when training', async () => {
    const net = fcnInference(ctx(2), { inChannels: 3, outChannels: 1, dropout: 0.5, ...TINY_FCN });
    const x = tf.randomUniform([2, 16, 16, 3], 0, 1, 'float32', 8);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => tf.sum(net.logits(x, { training: true, rng: new Rng(2) })) as tf.Scalar, net.params.variables);
    expect(Object.keys(grads)).toHaveLength(net.params.variables.length);
    for (const t of Object.values(grads)) expect((await t.data()).every(Number.isFinite)).toBe(true);
    tf.dispose([value, ...Object.values(grads)]);
    const [e1, e2, t1] = [net.logits(x, EVAL), net.logits(x, EVAL), net.logits(x, { training: true, rng: new Rng(3) })];
    expect(Array.from(await e2.data())).toEqual(Array.from(await e1.data()));
    expect(Array.from(await t1.data())).not.toEqual(Array.from(await e1.data()));
    tf.dispose([e1, e2, t1]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    net.params.dispose();
  });

  it('rejects sizes that are not multiples of the total stride, wrong channels, and bad options', () => {
    const net = fcnInference(ctx(), { inChannels: 3, outChannels: 1, ...TINY_FCN });
    const odd = tf.zeros([1, 30, 30, 3]);
    const gray = tf.zeros([1, 32, 32, 1]);
    expect(() => net.logits(odd, EVAL)).toThrow(/multiples of 4/);
    expect(() => net.logits(gray, EVAL)).toThrow(/\[N, H, W, 3\]/);
    tf.dispose([odd, gray]);
    net.params.dispose();
    const bad = (o: object) => () => fcnInference(ctx(), { inChannels: 3, outChannels: 1, ...o });
    expect(bad({ deconv: [] })).toThrow(/2 downsampling conv\(s\)/);
    expect(bad({ conv: [4, 4], strides: [2, 2, 2] })).toThrow(/strides/);
    expect(bad({ dropout: -0.1 })).toThrow(/dropout/);
    // three stride-2 convs need two hidden transposed convs; then multiples of 8
    const deep = fcnInference(ctx(), { inChannels: 1, outChannels: 2, conv: [2, 2, 2], strides: [2, 2, 2], deconv: [2, 2], kernel: 3 });
    const x = tf.zeros([1, 8, 16, 1]);
    const z = deep.logits(x, EVAL);
    expect(z.shape).toEqual([1, 8, 16, 2]);
    const x12 = tf.zeros([1, 12, 12, 1]);
    expect(() => deep.logits(x12, EVAL)).toThrow(/multiples of 8/);
    tf.dispose([x, z, x12]);
    deep.params.dispose();
  });
});

describe('fcnEnergyNet', () => {
  it("has the FCN's layers on image ⊕ mask channels and one score map channel", () => {
    const net = fcnEnergyNet(ctx(), { inChannels: 3, outChannels: 1 });
    expect(net.params.scope).toBe('energy');
    const s = shapesOf(net.params);
    expect(Object.keys(s)).toEqual([
      'conv1/kernel', 'conv1/bias', 'conv2/kernel', 'conv2/bias', 'conv3/kernel', 'conv3/bias',
      'deconv1/kernel', 'deconv1/bias', 'deconv2/kernel', 'deconv2/bias',
    ]);
    expect(s['conv1/kernel']).toEqual([5, 5, 4, 64]);
    expect(s['deconv2/kernel']).toEqual([5, 5, 1, 64]);
    net.params.dispose();
  });

  it('scores crops and full images per example (a batch scores as its examples alone), without leaks', async () => {
    const net = fcnEnergyNet(ctx(3), { inChannels: 3, outChannels: 3, ...TINY_FCN });
    const before = tf.memory().numTensors;
    for (const [H, W] of [[24, 24], [32, 32], [24, 32]] as const) {
      const x = tf.randomUniform([3, H, W, 3], 0, 1, 'float32', H);
      const y = tf.randomUniform([3, H, W, 3], 0, 1, 'float32', W);
      const h = net.encode(x, EVAL);
      const v = net.score(h, y, EVAL);
      expect(v.shape).toEqual([3]);
      const all = Array.from(await v.data());
      expect(new Set(all.map((a) => a.toFixed(6))).size).toBe(3);
      for (let i = 0; i < 3; i++) {
        const one = tf.tidy(() => net.score(tf.slice(h, [i], [1]), tf.slice(y, [i], [1]), EVAL));
        expect((await one.data())[0]).toBeCloseTo(all[i]!, 5);
        one.dispose();
      }
      tf.dispose([x, y, h, v]);
    }
    expect(tf.memory().numTensors).toBe(before);
    net.params.dispose();
  });

  it('gives a finite, non-zero gradient in y (what gradient inference ascends)', async () => {
    const net = fcnEnergyNet(ctx(4), { inChannels: 3, outChannels: 1, ...TINY_FCN });
    const x = tf.randomUniform([2, 16, 16, 3], 0, 1, 'float32', 5);
    const y = tf.randomUniform([2, 16, 16, 1], 0, 1, 'float32', 6);
    const g = tf.grad((yy: tf.Tensor) => tf.sum(net.score(x, yy, EVAL)))(y);
    const d = await g.data();
    expect(g.shape).toEqual([2, 16, 16, 1]);
    expect(d.every(Number.isFinite)).toBe(true);
    expect(d.some((v) => v !== 0)).toBe(true);
    tf.dispose([x, y, g]);
    net.params.dispose();
  });

  it('rejects sizes that are not multiples of the total stride and outputs of the wrong size', () => {
    const net = fcnEnergyNet(ctx(), { inChannels: 3, outChannels: 1, ...TINY_FCN });
    const odd = tf.zeros([1, 30, 30, 3]);
    const x = tf.zeros([1, 32, 32, 3]);
    const y3 = tf.zeros([1, 32, 32, 3]);
    expect(() => net.score(odd, tf.zeros([1, 30, 30, 1]), EVAL)).toThrow(/multiples of 4/);
    expect(() => net.score(x, y3, EVAL)).toThrow(/does not match inputs .*1 channel/);
    tf.dispose([odd, x, y3]);
    net.params.dispose();
  });
});
