import { it } from 'vitest';
import { Rng, tf, useBackend, type HyperParams } from '@alen/core';
import { createEnergyNet, createFcn } from '../src/architectures.js';
it('speed', async () => {
  console.log(await useBackend('wasm'));
  const ctx = { xShape: [32, 32, 3], yShape: [32, 32, 3], hp: { arch: {} } as unknown as HyperParams, rng: new Rng(1) };
  const e = createEnergyNet(ctx); const g = createFcn(ctx);
  const x = tf.randomUniform([32, 32, 32, 3]); const y = tf.tidy(() => tf.softmax(tf.randomNormal([32, 32, 32, 3])));
  const time = async (name: string, f: () => tf.Tensor[]) => {
    for (let r = 0; r < 4; r++) { const t = performance.now(); const out = f(); await out[0]!.data(); tf.dispose(out); if (r) console.log(name, (performance.now() - t).toFixed(0), 'ms'); }
  };
  const n0 = tf.memory().numTensors;
  await time('energy fwd b32', () => [e.score(x, y, { training: false })]);
  await time('energy dy b32', () => [tf.grad((v: tf.Tensor) => tf.sum(e.score(x, v, { training: false })))(y)]);
  await time('energy weights grad b32', () => { const r = tf.variableGrads(() => tf.sum(e.score(x, y, { training: true, rng: new Rng(1) })) as tf.Scalar, e.params.variables); return [r.value, ...Object.values(r.grads)]; });
  await time('fcn fwd b32', () => [g.logits(x, { training: false })]);
  await time('fcn weights grad b32', () => { const r = tf.variableGrads(() => tf.sum(g.logits(x, { training: true })) as tf.Scalar, g.params.variables); return [r.value, ...Object.values(r.grads)]; });
  console.log('leak', tf.memory().numTensors - n0);
}, 300000);
