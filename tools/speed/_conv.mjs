import { tf, useBackend } from '@alen/core';
import { WORKLOADS, defaultDataDir } from './workloads.mjs';
await useBackend('wasm');
for (const w of ['weizmann-value-train-step']) {
  const info = [];
  const orig = tf.profile;
  const r = await WORKLOADS[w].run('', { warmup: 3, reps: 1, profile: false });
}
// direct per-conv profile
const { getTask, resolveHyperParams, Rng, NetOptimizer } = await import('@alen/core');
await import('@alen/weizmann');
const task = getTask('weizmann'); const hp = resolveHyperParams(task, 'dvn');
const net = task.createEnergy({ hp, xShape: [24,24,3], yShape: [24,24,1], rng: new Rng(0) });
const x = tf.randomUniform([32,24,24,3]), y = tf.randomUniform([32,24,24,1]), t = tf.randomUniform([32]);
const opt = new NetOptimizer(net.params, hp, 1e-4);
const mode = { training: true, rng: new Rng(2) };
const step = () => { const l = opt.step(() => { const z = net.score(net.encode(x, mode), y, mode); return tf.mean(tf.add(tf.sub(tf.relu(z), tf.mul(z, t)), tf.log1p(tf.exp(tf.neg(tf.abs(z)))))); }); l.dataSync(); l.dispose(); };
for (let i = 0; i < 3; i++) step();
const p = await tf.profile(step);
for (const k of p.kernels.filter(k => ['Conv2D','BatchMatMul','Transpose','Concat','Pack','Sum'].includes(k.name))) console.log(k.name.padEnd(12), k.kernelTimeMs.toFixed(2).padStart(8), JSON.stringify(k.inputShapes), JSON.stringify(k.outputShapes));
