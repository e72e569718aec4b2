import { beforeAll, describe, expect, it } from 'vitest';
import { Rng, tf, useBackend, type BuildContext, type HyperParams } from '@alen/core';
import { convEnergyOptions, createConvEnergy, createFcnInference, fcnOptions } from '../src/architectures.js';

beforeAll(async () => {
  await useBackend('wasm');
});

function ctx(arch: HyperParams['arch'] = {}, seed = 1): BuildContext {
  return { xShape: [32, 32, 3], yShape: [32, 32, 1], hp: { arch } as HyperParams, rng: new Rng(seed) };
}

const TRAIN = { training: true, rng: new Rng(9) };
const EVAL = { training: false };

describe('conv value/energy net', () => {
  it('has the DVN layer sizes for 24×24 crops and scores [N]', async () => {
    const net = createConvEnergy(ctx(), convEnergyOptions({}, 24));
    const shapes = Object.fromEntries(net.params.params.map((p) => [p.name, p.variable.shape]));
    expect(shapes['conv1/kernel']).toEqual([5, 5, 4, 64]);
    expect(shapes['conv2/kernel']).toEqual([5, 5, 64, 128]);
    expect(shapes['conv3/kernel']).toEqual([5, 5, 128, 128]);
    expect(shapes['fc1/kernel']).toEqual([384, 6 * 6 * 128]);
    expect(shapes['fc2/kernel']).toEqual([192, 384]);
    expect(shapes['fc3/kernel']).toEqual([1, 192]);
    const x = tf.randomUniform([3, 24, 24, 3], 0, 1, 'float32', 2);
    const y = tf.randomUniform([3, 24, 24, 1], 0, 1, 'float32', 3);
    const before = tf.memory().numTensors;
    const h = net.encode(x, EVAL);
    const s = net.score(h, y, EVAL);
    expect(s.shape).toEqual([3]);
    expect(Array.from(await s.data()).every(Number.isFinite)).toBe(true);
    tf.dispose([h, s]);
    expect(tf.memory().numTensors).toBe(before);
    // flatten size follows the crop size: 32×32 inputs need a net built for 32
    expect(() => net.score(tf.zeros([1, 32, 32, 3]), tf.zeros([1, 32, 32, 1]), EVAL)).toThrow(/built for 24×24×3/);
    const net32 = createConvEnergy(ctx(), convEnergyOptions({}, 32));
    expect(net32.params.get('fc1/kernel').shape).toEqual([384, 8 * 8 * 128]);
    tf.dispose([x, y]);
    net.params.dispose();
    net32.params.dispose();
  });

  it('has a finite, non-zero gradient of the score w.r.t. y; dropout only in training', async () => {
    const net = createConvEnergy(ctx({ vConv1: 8, vConv2: 16, vConv3: 16, vFc1: 32, vFc2: 16 }), convEnergyOptions({ vConv1: 8, vConv2: 16, vConv3: 16, vFc1: 32, vFc2: 16 }, 24));
    const x = tf.randomUniform([2, 24, 24, 3], 0, 1, 'float32', 4);
    const y = tf.randomUniform([2, 24, 24, 1], 0, 1, 'float32', 5);
    const g = tf.grad((t: tf.Tensor) => tf.sum(net.score(x, t, EVAL)))(y);
    const gv = await g.data();
    expect(gv.every(Number.isFinite)).toBe(true);
    expect(gv.some((v) => v !== 0)).toBe(true);
    const [a, b, c] = tf.tidy(() => [
      net.score(x, y, EVAL).dataSync(),
      net.score(x, y, EVAL).dataSync(),
      net.score(x, y, { training: true, rng: new Rng(1) }).dataSync(),
    ]);
    expect(Array.from(a!)).toEqual(Array.from(b!));
    expect(Array.from(c!)).not.toEqual(Array.from(a!));
    tf.dispose([x, y, g]);
    net.params.dispose();
  });

  it("energyNet=fcn builds ALEN's FCN energy: no FC layers, scores crops and full images", async () => {
    const arch = { energyNet: 'fcn', vConv1: 8, vConv2: 16, vConv3: 16, vDeconv: 8 };
    const net = createConvEnergy(ctx(arch), convEnergyOptions(arch, 24));
    const shapes = Object.fromEntries(net.params.params.map((p) => [p.name, p.variable.shape]));
    expect(Object.keys(shapes).some((k) => k.startsWith('fc'))).toBe(false);
    expect(shapes['conv1/kernel']).toEqual([5, 5, 4, 8]);
    expect(shapes['deconv1/kernel']).toEqual([5, 5, 8, 16]);
    expect(shapes['deconv2/kernel']).toEqual([5, 5, 1, 8]);
    for (const side of [24, 32]) {
      const s = tf.tidy(() => net.score(tf.ones([2, side, side, 3]), tf.zeros([2, side, side, 1]), EVAL));
      expect(s.shape).toEqual([2]);
      expect(Array.from(await s.data()).every(Number.isFinite)).toBe(true);
      // its per-pixel scores (energyFit 'map') average to the score
      const m = tf.tidy(() => net.scoreMap!(tf.ones([2, side, side, 3]), tf.zeros([2, side, side, 1]), EVAL));
      expect(m.shape).toEqual([2, side, side]);
      const meanT = tf.mean(m, [1, 2]);
      const means = await meanT.data();
      meanT.dispose();
      Array.from(await s.data()).forEach((v, i) => expect(v).toBeCloseTo(means[i]!, 5));
      tf.dispose([s, m]);
    }
    net.params.dispose();
    expect(() => convEnergyOptions({ energyNet: 'mlp' }, 24)).toThrow(/energyNet must be one of conv, fcn/);
  });

  it('rejects bad arch options', () => {
    expect(() => convEnergyOptions({ vConv1: 0 }, 24)).toThrow(/vConv1/);
    expect(() => convEnergyOptions({ vDropout: 1.5 }, 24)).toThrow(/vDropout/);
    expect(convEnergyOptions({ vFc1: '256' }, 24).fc).toEqual([256, 192]);
  });
});

describe('FCN inference net', () => {
  it('maps 24×24 crops and 32×32 images to logits of the same size', async () => {
    const net = createFcnInference(ctx(), fcnOptions({}));
    const before = tf.memory().numTensors;
    for (const s of [24, 32]) {
      const x = tf.randomUniform([2, s, s, 3], 0, 1, 'float32', s);
      const z = net.logits(x, EVAL);
      expect(z.shape).toEqual([2, s, s, 1]);
      expect((await z.data()).every(Number.isFinite)).toBe(true);
      tf.dispose([x, z]);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(() => net.logits(tf.zeros([1, 30, 30, 3]), EVAL)).toThrow(/multiples of 4/);
    expect(net.params.get('deconv2/kernel').shape).toEqual([5, 5, 1, 64]);
    net.params.dispose();
  });
});

describe('a few training steps (tiny widths)', () => {
  it('Adam lowers the FCN task loss and the energy regression loss without leaking tensors', async () => {
    const arch = { gConv1: 4, gConv2: 8, gConv3: 8, gDeconv: 4, gDropout: 0, vConv1: 4, vConv2: 8, vConv3: 8, vFc1: 16, vFc2: 8, vDropout: 0 };
    const g = createFcnInference(ctx(arch, 3), fcnOptions(arch));
    const v = createConvEnergy(ctx(arch, 4), convEnergyOptions(arch, 24));
    const x = tf.randomUniform([2, 24, 24, 3], 0, 1, 'float32', 11);
    const y = tf.cast(tf.greater(tf.randomUniform([2, 24, 24, 1], 0, 1, 'float32', 12), 0.6), 'float32');
    const optG = tf.train.adam(1e-2, 0.5);
    const optV = tf.train.adam(1e-2, 0.5);
    const gLoss = () => tf.losses.sigmoidCrossEntropy(y, g.logits(x, TRAIN)) as tf.Scalar;
    const vLoss = () => tf.mean(tf.square(tf.sub(tf.sigmoid(v.score(x, y, TRAIN)), 1))) as tf.Scalar;
    const first = [tf.tidy(gLoss).dataSync()[0]!, tf.tidy(vLoss).dataSync()[0]!];
    let count = 0;
    for (let i = 0; i < 5; i++) {
      optG.minimize(gLoss, false, g.params.variables)?.dispose();
      optV.minimize(vLoss, false, v.params.variables)?.dispose();
      if (i === 0) count = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(count);
    const last = [tf.tidy(gLoss).dataSync()[0]!, tf.tidy(vLoss).dataSync()[0]!];
    expect(last[0]).toBeLessThan(first[0]!);
    expect(last[1]).toBeLessThan(first[1]!);
    tf.dispose([x, y]);
    optG.dispose();
    optV.dispose();
    g.params.dispose();
    v.params.dispose();
  });
});
