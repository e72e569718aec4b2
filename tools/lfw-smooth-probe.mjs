#!/usr/bin/env node
// Does spatial smoothing of an LFW model's soft output help? A hand-made pairwise prior, to see
// whether an energy with neighbour terms has anything to find: validation metrics of g(x) and of
// (1 − w)·y + w·blur(y) (3×3 box, k passes) for a few w.
//   node tools/lfw-smooth-probe.mjs MODEL_DIR [val|test] [N]
import path from 'node:path';
import { useBackend, loadCheckpoint, getTask, predictDataset, tf } from '@alen/core';
import { evaluateLfw } from '@alen/lfw';
const [dir, split = 'val', limit = '500'] = process.argv.slice(2);
await useBackend(process.env.ALEN_BACKEND ?? 'wasm');
const { model } = await loadCheckpoint(dir);
const dataDir = process.env.ALEN_DATA ?? path.resolve('..', 'shared', 'data');
const all = await getTask('lfw').load({ dataDir, seed: 0, limit: { train: 1, [split]: Number(limit) }, options: {} });
const data = all[split];
const { pred } = await predictDataset(model, data, { inferenceOnly: true });
const n = data.size;
const fmt = (m) => `${m.pixelAcc250.toFixed(2)} (mIoU ${m.meanIou.toFixed(2)}, 32: ${m.pixelAcc32.toFixed(2)})`;
console.log(`${dir}, ${split}, ${n} faces`);
console.log(`g(x): ${fmt(evaluateLfw(pred, data))}`);
const y = tf.tensor4d(pred, [n, 32, 32, 3]);
const kernel = tf.div(tf.ones([3, 3, 3, 1]), 9);
const pad1 = (t) => tf.pad(t, [[0, 0], [1, 1], [1, 1], [0, 0]], 0);
// edge-normalized box blur: divide by the blurred ones so borders are not darkened
const norm = tf.tidy(() => tf.depthwiseConv2d(pad1(tf.onesLike(y)), kernel, 1, 'valid'));
for (const passes of [1, 2]) {
  for (const w of [0.25, 0.5, 1]) {
    const out = tf.tidy(() => {
      let b = y;
      for (let k = 0; k < passes; k++) {
        b = tf.div(tf.depthwiseConv2d(pad1(b), kernel, 1, 'valid'), norm);
      }
      return tf.add(tf.mul(y, 1 - w), tf.mul(b, w));
    });
    const p = out.dataSync().slice();
    out.dispose();
    console.log(`blur ${passes}× w ${w}: ${fmt(evaluateLfw(p, data))}`);
  }
}
