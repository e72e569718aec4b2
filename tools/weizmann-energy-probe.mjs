#!/usr/bin/env node
// Does a trained Weizmann energy's ascent direction at y' = g(x) point toward the ground truth?
// On the central 24×24 crop of every validation image: σ(v) and IOU along the segment from g(x) to
// y*, the cosine between ∇y v and y* − y', where the gradient's mass sits, and the IOU after 1–10
// ascent steps in three parameterizations (normalized steps in y as in ALEN's Eq. 12; the same with
// the gradient masked where the box stops it; normalized steps on the logits z, y = σ(z)).
//   node tools/weizmann-energy-probe.mjs RUN_DIR/model
import path from 'node:path';
import { useBackend, loadCheckpoint, getTask, tf } from '@alen/core';
import '@alen/weizmann';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: weizmann-energy-probe.mjs MODEL_DIR (a run folder\'s model/ or checkpoints/best)');
  process.exit(2);
}
await useBackend(process.env.ALEN_BACKEND ?? 'wasm');
const { model } = await loadCheckpoint(dir);
if (!model.energy || !model.inference) throw new Error(`${dir}: needs an energy and an inference network (an ALEN-family model)`);
const val = (await getTask('weizmann').load({ dataDir: process.env.ALEN_DATA ?? path.resolve('..', 'shared', 'data'), seed: 1, options: {} })).val;
const n = val.size;
const [H, W] = val.xShape;
const C = 24;
const off = (H - C) / 2;
const EVAL = { training: false };
const x = tf.slice(tf.tensor4d(val.x, [n, H, W, 3]), [0, off, off, 0], [n, C, C, 3]);
const yStar = tf.slice(tf.tensor4d(val.y, [n, H, W, 1]), [0, off, off, 0], [n, C, C, 1]);
const h = model.energy.encode(x, EVAL);
const yP = tf.sigmoid(model.inference.logits(x, EVAL));
const scalar = (t) => t.dataSync()[0];
const iou = (y) =>
  tf.tidy(() => {
    const b = tf.cast(tf.greater(y, 0.5), 'float32');
    return scalar(tf.mean(tf.div(tf.sum(tf.mul(b, yStar), [1, 2, 3]), tf.maximum(tf.sum(tf.maximum(b, yStar), [1, 2, 3]), 1)))) * 100;
  });
const grad = (y) => tf.grad((yy) => tf.sum(model.energy.score(h, yy, EVAL)))(y);
const norms = (t) => tf.norm(tf.reshape(t, [n, -1]), 2, 1);
const unit = (t) => tf.div(t, tf.maximum(tf.reshape(norms(t), [n, 1, 1, 1]), 1e-12));

console.log('| α | mean σ(v) | IOU |  (y = (1 − α) g(x) + α y*)\n| --- | --- | --- |');
for (const a of [0, 0.25, 0.5, 0.75, 1]) {
  const y = tf.add(tf.mul(yP, 1 - a), tf.mul(yStar, a));
  console.log(`| ${a} | ${scalar(tf.mean(tf.sigmoid(model.energy.score(h, y, EVAL)))).toFixed(4)} | ${iou(y).toFixed(2)} |`);
}
const g = grad(yP);
const d = tf.sub(yStar, yP);
const cos = tf.div(tf.sum(tf.mul(g, d), [1, 2, 3]), tf.mul(norms(g), norms(d)));
const confident = tf.cast(tf.greater(tf.abs(tf.sub(yP, 0.5)), 0.4), 'float32');
const g2 = tf.square(g);
const up = tf.cast(tf.greater(g, 0), 'float32');
console.log(`\ncos(∇v, y* − y′): mean ${scalar(tf.mean(cos)).toFixed(3)}, min ${scalar(tf.min(cos)).toFixed(3)}, max ${scalar(tf.max(cos)).toFixed(3)}`);
console.log(`share of |∇v|² on confident pixels (|y′ − 0.5| > 0.4): ${(scalar(tf.sum(tf.mul(g2, confident))) / scalar(tf.sum(g2))).toFixed(3)} (they are ${scalar(tf.mean(confident)).toFixed(3)} of the pixels)`);
console.log(`∇v > 0 on ${(scalar(tf.sum(tf.mul(up, yStar))) / scalar(tf.sum(yStar))).toFixed(3)} of the horse pixels, ${(scalar(tf.sum(tf.mul(up, tf.sub(1, yStar)))) / scalar(tf.sum(tf.sub(1, yStar)))).toFixed(3)} of the background`);

console.log('\n| ascent | η | 0 steps | 1 | 3 | 6 | 10 |\n| --- | --- | --- | --- | --- | --- | --- |');
const logit = (y) => tf.tidy(() => { const c = tf.clipByValue(y, 1e-4, 1 - 1e-4); return tf.log(tf.div(c, tf.sub(1, c))); });
for (const [kind, etas] of [['y', [0.5, 1, 2]], ['y, masked', [0.5, 1, 2]], ['logits', [2, 5, 10]]]) {
  for (const eta of etas) {
    const row = [iou(yP).toFixed(2)];
    let y = yP;
    let z = logit(yP);
    for (let t = 1; t <= 10; t++) {
      const gy = grad(y);
      if (kind === 'y') y = tf.clipByValue(tf.add(y, tf.mul(unit(gy), eta)), 0, 1);
      else if (kind === 'y, masked') {
        const free = tf.cast(tf.logicalOr(tf.logicalAnd(tf.greater(gy, 0), tf.less(y, 0.999)), tf.logicalAnd(tf.less(gy, 0), tf.greater(y, 0.001))), 'float32');
        y = tf.clipByValue(tf.add(y, tf.mul(unit(tf.mul(gy, free)), eta)), 0, 1);
      } else {
        z = tf.add(z, tf.mul(unit(tf.mul(gy, tf.mul(y, tf.sub(1, y)))), eta));
        y = tf.sigmoid(z);
      }
      if ([1, 3, 6, 10].includes(t)) row.push(iou(y).toFixed(2));
    }
    console.log(`| ${kind} | ${eta} | ${row.join(' | ')} |`);
  }
}
