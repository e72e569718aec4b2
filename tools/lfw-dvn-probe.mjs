#!/usr/bin/env node
// What has a trained LFW DVN value net learned? On the first N faces of a split: σ(v) against the
// soft and hard (argmax) pixel accuracy at 32×32 for the ground truth, the simplex centre (DVN's
// start), background everywhere, the training faces' mean map, another face's ground truth, and
// the maps DVN's inference (normalized ascent from the centre at the model's dvnEta) passes through.
// A value net that rates another face's labels as high as the face's own does not read the face.
//   node tools/lfw-dvn-probe.mjs MODEL_DIR [train|val|test] [N] [TRAIN_FACES]
// ETA=η in the environment replaces the model's dvnEta for the ascent rows.
import path from 'node:path';
import { useBackend, loadCheckpoint, getTask, gradientAscent, tf } from '@alen/core';
import '@alen/lfw';
const [dir, split = 'test', limit = '64', trainFaces = '1500'] = process.argv.slice(2);
if (!dir || !['train', 'val', 'test'].includes(split)) {
  console.error('usage: lfw-dvn-probe.mjs MODEL_DIR [train|val|test] [N] [TRAIN_FACES]  (a run folder\'s model/ or checkpoints/best)');
  process.exit(2);
}
await useBackend(process.env.ALEN_BACKEND ?? 'wasm');
const { model } = await loadCheckpoint(dir);
const dataDir = process.env.ALEN_DATA ?? path.resolve('..', 'shared', 'data');
const all = await getTask('lfw').load({ dataDir, seed: 0, limit: { train: Number(trainFaces), [split]: Number(limit) }, options: {} });
if (!model.energy) throw new Error(`${dir}: the model has no energy (value) network`);
const data = all[split];
const n = Math.min(data.size, Number(limit));
const EVAL = { training: false };
const space = getTask('lfw').outputSpace;
const x = tf.tensor4d(data.x.slice(0, n * 32 * 32 * 3), [n, 32, 32, 3]);
const yStar = tf.tensor4d(data.y.slice(0, n * 32 * 32 * 3), [n, 32, 32, 3]);
const h = model.energy.encode(x, EVAL);
const s = (t) => t.dataSync()[0];
const acc = (y) => tf.tidy(() => s(tf.mean(tf.sum(tf.minimum(y, yStar), -1))) * 100);
const hard = (y) => tf.tidy(() => acc(space.decode(y)));
const value = (y) => tf.tidy(() => s(tf.mean(tf.sigmoid(model.energy.score(h, y, EVAL)))) * 100);
const frac = (y) => tf.tidy(() => Array.from(tf.mean(space.decode(y), [0, 1, 2]).dataSync()).map((v) => v.toFixed(2)).join('/'));
const row = (l, y) => console.log(`| ${l} | ${value(y).toFixed(1)} | ${acc(y).toFixed(1)} | ${hard(y).toFixed(1)} | ${frac(y)} |`);
console.log(`${dir}, ${split} split, ${n} faces (mean map over ${all.train.size} training faces)\n`);
console.log('| y | mean σ(v) % | soft pixel acc % | argmax pixel acc % | argmax hair/face/background |\n| --- | --- | --- | --- | --- |');
row('y*', yStar);
row('0.5 y* + 0.5 centre', tf.add(tf.mul(yStar, 0.5), 1 / 6));
row('centre', tf.fill(yStar.shape, 1 / 3));
row('all background', tf.cast(tf.oneHot(tf.fill([n, 32, 32], 2, 'int32'), 3), 'float32'));
const tr = tf.tensor4d(all.train.y, [all.train.size, 32, 32, 3]);
const prior = tf.tile(tf.mean(tr, 0, true), [n, 1, 1, 1]);
row('train mean map', prior);
row("another face's y*", tf.concat([tf.slice(yStar, [1, 0, 0, 0], [n - 1, 32, 32, 3]), tf.slice(yStar, [0, 0, 0, 0], [1, 32, 32, 3])], 0));
// DVN's inference as core runs it: normalized steps along the simplex's feasible direction.
const eta = Number(process.env.ETA ?? model.hp.dvnEta);
const STEPS = [1, 2, 5, 10, 30];
const { y, recorded } = gradientAscent((yy) => model.energy.score(h, yy, EVAL), tf.fill(yStar.shape, 1 / 3), space.project, {
  steps: 0, eta, normalized: true, sigmoid: true, record: STEPS, feasible: space.feasibleDirection,
});
STEPS.forEach((t, i) => row(`${t} steps from centre (η ${eta})`, recorded[i]));
tf.dispose([y, ...recorded]);
