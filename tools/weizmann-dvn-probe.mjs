#!/usr/bin/env node
// What has a trained Weizmann DVN value net learned? On the central 24×24 crop of each image of a
// split: σ(v) against the true soft and hard IOU for scaled ground truth (α·y*), the all-ones mask,
// and the masks DVN's inference (normalized ascent from zeros, the model's dvnEta) passes through.
// A value net that rates the all-ones mask above y* has not learned where the horse is. Also prints
// what an image-blind predictor scores on the split's full 32×32 images: the training masks' mean,
// thresholded at the level that is best on validation.
//   node tools/weizmann-dvn-probe.mjs MODEL_DIR [train|val|test] [N]
import path from 'node:path';
import { useBackend, loadCheckpoint, getTask, tf } from '@alen/core';
import '@alen/weizmann';

const [dir, split = 'val', limit = '40'] = process.argv.slice(2);
if (!dir || !['train', 'val', 'test'].includes(split)) {
  console.error("usage: weizmann-dvn-probe.mjs MODEL_DIR [train|val|test] [N]  (a run folder's model/ or checkpoints/best)");
  process.exit(2);
}
await useBackend(process.env.ALEN_BACKEND ?? 'wasm');
const { model } = await loadCheckpoint(dir);
if (!model.energy) throw new Error(`${dir}: the model has no energy (value) network`);
const all = await getTask('weizmann').load({ dataDir: process.env.ALEN_DATA ?? path.resolve('..', 'shared', 'data'), seed: 1, options: {} });
const data = all[split];
const n = Math.min(data.size, Number(limit));
const [H, W] = data.xShape;
const C = 24;
const off = (H - C) / 2;
const EVAL = { training: false };
const x = tf.slice(tf.tensor4d(data.x.slice(0, n * H * W * 3), [n, H, W, 3]), [0, off, off, 0], [n, C, C, 3]);
const yStar = tf.slice(tf.tensor4d(data.y.slice(0, n * H * W), [n, H, W, 1]), [0, off, off, 0], [n, C, C, 1]);
const h = model.energy.encode(x, EVAL);
const scalar = (t) => t.dataSync()[0];
const softIou = (y) =>
  tf.tidy(() => scalar(tf.mean(tf.div(tf.sum(tf.minimum(y, yStar), [1, 2, 3]), tf.maximum(tf.sum(tf.maximum(y, yStar), [1, 2, 3]), 1e-6)))) * 100);
const hardIou = (y) => tf.tidy(() => softIou(tf.cast(tf.greater(y, 0.5), 'float32')));
const value = (y) => tf.tidy(() => scalar(tf.mean(tf.sigmoid(model.energy.score(h, y, EVAL)))) * 100);
const row = (label, y) =>
  console.log(`| ${label} | ${value(y).toFixed(1)} | ${softIou(y).toFixed(1)} | ${hardIou(y).toFixed(1)} | ${tf.tidy(() => scalar(tf.mean(y))).toFixed(3)} |`);

// Image-blind baseline: mean IOU of one fixed mask (mean training mask ≥ t) on full images.
const px = all.train.y.length / all.train.size;
const prior = new Float64Array(px);
all.train.y.forEach((v, i) => (prior[i % px] += v)); // counts: exact, unlike sums of 1/n
const priorIou = (set, t) => {
  let sum = 0;
  for (let i = 0; i < set.size; i++) {
    let inter = 0, union = 0;
    for (let p = 0; p < px; p++) {
      const a = prior[p] >= t * all.train.size - 1e-9 ? 1 : 0, b = set.y[i * px + p];
      inter += a * b;
      union += Math.max(a, b);
    }
    sum += union > 0 ? inter / union : 0;
  }
  return (100 * sum) / set.size;
};
const levels = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
const best = levels.reduce((a, t) => (priorIou(all.val, t) > priorIou(all.val, a) ? t : a));
console.log(`image-blind prior (mean training mask ≥ ${best}, chosen on val): mean IOU ${priorIou(data, best).toFixed(2)} on the ${split} split's full images\n`);
console.log(`${dir}, ${split} split, central crops of ${n} images\n\n| y | mean σ(v) % | soft IOU % | IOU at 0.5 % | mean y |\n| --- | --- | --- | --- | --- |`);
for (const a of [0.25, 0.5, 1]) row(`${a} · y*`, tf.mul(yStar, a));
row('all ones', tf.onesLike(yStar));
// The next image's ground truth: a value net that reads the image rates it well below y*.
row("another image's y*", tf.concat([tf.slice(yStar, [1, 0, 0, 0], [n - 1, C, C, 1]), tf.slice(yStar, [0, 0, 0, 0], [1, C, C, 1])], 0));
const grad = (y) => tf.grad((yy) => tf.sum(model.energy.score(h, yy, EVAL)))(y);
const eta = model.hp.dvnEta;
let y = tf.zerosLike(yStar);
for (let t = 0; t <= 40; t++) {
  if ([0, 5, 10, 20, 30, 40].includes(t)) row(`${t} ascent steps from zeros (η ${eta})`, y);
  const next = tf.tidy(() => {
    const g = grad(y);
    const norm = tf.reshape(tf.norm(tf.reshape(g, [n, -1]), 2, 1), [n, 1, 1, 1]);
    return tf.clipByValue(tf.add(y, tf.mul(tf.div(g, tf.maximum(norm, 1e-12)), eta)), 0, 1);
  });
  y.dispose();
  y = next;
}
