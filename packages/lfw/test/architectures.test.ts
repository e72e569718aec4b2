import { afterAll, describe, expect, it } from 'vitest';
import { Rng, tf, useBackend, type BuildContext, type HyperParams } from '@alen/core';
import { ARCH_DEFAULTS, createEnergyNet, createFcn, resolveArch } from '../src/architectures.js';

const ctx = (arch: Record<string, number> = {}, seed = 1): BuildContext => ({
  xShape: [32, 32, 3],
  yShape: [32, 32, 3],
  hp: { arch } as unknown as HyperParams,
  rng: new Rng(seed),
});
const count = (vs: tf.Variable[]) => vs.reduce((a, v) => a + v.size, 0);
const TINY = { energyConv1: 4, energyConv2: 4, energyConv3: 4, energyFc1: 8, energyFc2: 4, fcnConv1: 4, fcnConv2: 4, fcnConv3: 4, fcnDeconv1: 4 };

afterAll(async () => {
  await useBackend('wasm');
});

describe('architectures', () => {
  it('energy net: conv 64/128/128 → 384 → 192 → 1, a score per example', async () => {
    await useBackend('wasm');
    const before = tf.memory().numTensors;
    const net = createEnergyNet(ctx());
    // 5·5·6·64+64, 5·5·64·128+128, 5·5·128·128+128, 8·8·128·384+384, 384·192+192, 192+1
    expect(count(net.params.variables)).toBe(9664 + 204928 + 409728 + 3146112 + 73920 + 193);
    expect(net.params.params.map((p) => p.name)).toEqual([
      'conv1/kernel', 'conv1/bias', 'conv2/kernel', 'conv2/bias', 'conv3/kernel', 'conv3/bias',
      'fc1/kernel', 'fc1/bias', 'fc2/kernel', 'fc2/bias', 'out/kernel', 'out/bias',
    ]);
    const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 1);
    const y = tf.tidy(() => tf.softmax(tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 2)));
    const h = net.encode(x, { training: false });
    expect(h).not.toBe(x);
    const s = net.score(h, y, { training: false });
    expect(s.shape).toEqual([2]);
    h.dispose(); // the caller owns the encoding; x survives
    expect(x.isDisposed).toBe(false);
    const rng = new Rng(5);
    const s1 = net.score(x, y, { training: true, rng });
    const s2 = net.score(x, y, { training: true, rng });
    expect(Array.from(await s1.data())).not.toEqual(Array.from(await s2.data())); // dropout on
    const e1 = net.score(x, y, { training: false });
    expect(Array.from(await e1.data())).toEqual(Array.from(await s.data())); // deterministic in eval
    tf.dispose([x, y, s, s1, s2, e1]);
    net.params.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("energyNet=fcn: ALEN's FCN energy, per-pixel scores whose mean is the score", async () => {
    await useBackend('wasm');
    const before = tf.memory().numTensors;
    const arch = { energyNet: 'fcn', energyConv1: 4, energyConv2: 8, energyConv3: 8, energyDeconv1: 4 } as unknown as Record<string, number>;
    const net = createEnergyNet(ctx(arch));
    const shapes = Object.fromEntries(net.params.params.map((p) => [p.name, p.variable.shape]));
    expect(Object.keys(shapes).some((k) => k.startsWith('fc'))).toBe(false);
    expect(shapes['conv1/kernel']).toEqual([5, 5, 6, 4]);
    expect(shapes['deconv2/kernel']).toEqual([5, 5, 1, 4]);
    const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 1);
    const y = tf.tidy(() => tf.softmax(tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 2)));
    const map = net.scoreMap!(x, y, { training: false });
    const s = net.score(x, y, { training: false });
    expect(map.shape).toEqual([2, 32, 32]);
    const meanT = tf.mean(map, [1, 2]);
    const means = await meanT.data();
    meanT.dispose();
    Array.from(await s.data()).forEach((v, i) => expect(v).toBeCloseTo(means[i]!, 5));
    tf.dispose([x, y, map, s]);
    net.params.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => createEnergyNet(ctx({ energyNet: 'mlp' } as unknown as Record<string, number>))).toThrow(/energyNet must be one of conv, fcn/);
    expect(createEnergyNet(ctx(TINY)).scoreMap).toBeUndefined();
  });

  it('FCN: three 5×5 convs and two stride-2 deconvs back to 32×32×3 logits', async () => {
    await useBackend('wasm');
    const before = tf.memory().numTensors;
    const net = createFcn(ctx());
    // 5·5·3·64+64, 5·5·64·128+128, 5·5·128·128+128, 5·5·128·64+64, 5·5·64·3+3
    expect(count(net.params.variables)).toBe(4864 + 204928 + 409728 + 204864 + 4803);
    const x = tf.randomUniform([3, 32, 32, 3], 0, 1, 'float32', 1);
    const z = net.logits(x, { training: false });
    expect(z.shape).toEqual([3, 32, 32, 3]);
    tf.dispose([x, z]);
    net.params.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('arch options: defaults, overrides, validation', () => {
    expect(resolveArch(undefined)).toEqual({ ...ARCH_DEFAULTS });
    expect(resolveArch({ energyFc1: 16, fcnConv1: '8', otherTaskKey: true })).toMatchObject({ energyFc1: 16, fcnConv1: 8 });
    expect(() => resolveArch({ energyDropout: 1 })).toThrow(/energyDropout=1 must be a rate/);
    expect(() => resolveArch({ fcnConv1: 'many' })).toThrow(/fcnConv1=many/);
    expect(() => createFcn({ ...ctx(), xShape: [30, 30, 3], yShape: [30, 30, 3] })).toThrow(/divisible by 4/);
  });

  // Small networks on the cpu backend: gradients must flow to every weight and to y, without leaks.
  it('gradients reach every weight and y (tiny nets, cpu)', async () => {
    await useBackend('cpu');
    const energy = createEnergyNet(ctx(TINY));
    const fcn = createFcn(ctx(TINY, 2));
    const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 1);
    const y = tf.tidy(() => tf.softmax(tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 2)));
    const before = tf.memory().numTensors;
    for (let rep = 0; rep < 2; rep++) {
      const gy = tf.grad((v: tf.Tensor) => tf.sum(energy.score(x, v, { training: false })))(y);
      expect(gy.shape).toEqual([2, 32, 32, 3]);
      const mag = tf.tidy(() => tf.sum(tf.abs(gy)));
      expect((await mag.data())[0]).toBeGreaterThan(0);
      mag.dispose();
      gy.dispose();
      const ge = tf.variableGrads(() => tf.sum(energy.score(x, y, { training: true, rng: new Rng(rep) })) as tf.Scalar, energy.params.variables);
      const gf = tf.variableGrads(() => tf.sum(fcn.logits(x, { training: true })) as tf.Scalar, fcn.params.variables);
      for (const g of [...Object.values(ge.grads), ...Object.values(gf.grads)]) {
        const a = await g.data();
        expect(a.every(Number.isFinite)).toBe(true);
      }
      tf.dispose([ge.value, gf.value, ...Object.values(ge.grads), ...Object.values(gf.grads)]);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
    energy.params.dispose();
    fcn.params.dispose();
  });
});
