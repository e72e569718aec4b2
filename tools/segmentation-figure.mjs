#!/usr/bin/env node
// A picture of segmentation results: one row per test image (input, ground truth, then one column
// per trained model's decoded prediction), rendered with sharp. Works for any task whose inputs are
// RGB images in [0, 1] ([H, W, 3]) and whose outputs are [H, W, C] masks: C = 1 is drawn black and
// white, C = 3 as red / green / blue (LFW: hair / face / background).
//   node tools/segmentation-figure.mjs --task weizmann --model FCN=runs/.../infnet-s1 \
//     --model DVN=runs/.../dvn-s1 --model ALEN=runs/.../alen-s1 --n 8 --out docs/figures/weizmann-masks.png
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { useBackend, loadCheckpoint, predictDataset, takeFirst, getTask } from '@alen/core';
import '@alen/weizmann';
import '@alen/lfw';

const { values: a } = parseArgs({
  options: {
    task: { type: 'string' },
    model: { type: 'string', multiple: true, default: [] },
    n: { type: 'string', default: '8' },
    first: { type: 'string', default: '0' },
    scale: { type: 'string', default: '4' },
    data: { type: 'string' },
    out: { type: 'string' },
  },
});
if (!a.task || !a.out || !a.model.length) {
  console.error('usage: segmentation-figure.mjs --task T --model LABEL=RUN_OR_MODEL_DIR [--model ...] [--n 8] [--first 0] [--scale 4] --out FILE.png');
  process.exit(2);
}
await useBackend();
const dataDir = a.data ?? process.env.ALEN_DATA ?? path.resolve('..', 'shared', 'data');
const task = getTask(a.task);
const data = await task.load({ dataDir, seed: 0, options: {} });
const first = Number(a.first);
const n = Math.min(Number(a.n), data.test.size - first);
const test = takeFirst(sliceFrom(data.test, first), n);
const [H, W] = test.xShape;
const C = test.yShape.at(-1);
const scale = Number(a.scale);

const columns = [
  { label: 'input', pixels: (i) => rgbOfInput(test.x, i) },
  { label: 'truth', pixels: (i) => rgbOfMask(test.y, i) },
];
for (const spec of a.model) {
  const eq = spec.indexOf('=');
  if (eq < 1) throw new Error(`--model expects LABEL=DIR, got '${spec}'`);
  const label = spec.slice(0, eq);
  let dir = spec.slice(eq + 1);
  if (fs.existsSync(path.join(dir, 'model', 'model.json'))) dir = path.join(dir, 'model');
  const { model } = await loadCheckpoint(dir);
  if (model.task.name !== task.name) throw new Error(`${dir} is a ${model.task.name} model, not ${task.name}`);
  const { pred } = await predictDataset(model, test);
  columns.push({ label, pixels: (i) => rgbOfMask(pred, i) });
}

/** RGB bytes of example i's input (values in [0, 1]). */
function rgbOfInput(x, i) {
  const per = H * W * 3;
  return Uint8Array.from(x.subarray(i * per, (i + 1) * per), (v) => Math.round(255 * Math.min(1, Math.max(0, v))));
}

/** RGB bytes of example i's mask: threshold 0.5 for one channel, argmax colours for three. */
function rgbOfMask(y, i) {
  const per = H * W * C;
  const out = new Uint8Array(H * W * 3);
  for (let p = 0; p < H * W; p++) {
    const o = i * per + p * C;
    if (C === 1) out.fill(y[o] >= 0.5 ? 255 : 0, 3 * p, 3 * p + 3);
    else {
      let best = 0;
      for (let c = 1; c < C; c++) if (y[o + c] > y[o + best]) best = c;
      out[3 * p + (best % 3)] = 255;
    }
  }
  return out;
}

function sliceFrom(d, start) {
  const px = d.xShape.reduce((s, v) => s * v, 1);
  const py = d.yShape.reduce((s, v) => s * v, 1);
  return { ...d, size: d.size - start, x: d.x.subarray(start * px), y: d.y.subarray(start * py), ids: d.ids?.slice(start) };
}

const cell = H * scale;
const pad = 4;
const header = 18;
const width = columns.length * (cell + pad) + pad;
const height = header + n * (cell + pad) + pad;
const tiles = [];
for (let i = 0; i < n; i++) {
  for (const [j, col] of columns.entries()) {
    const img = await sharp(Buffer.from(col.pixels(i)), { raw: { width: W, height: H, channels: 3 } })
      .resize(W * scale, H * scale, { kernel: 'nearest' })
      .png()
      .toBuffer();
    tiles.push({ input: img, left: pad + j * (cell + pad), top: header + pad + i * (cell + pad) });
  }
}
const labels = columns
  .map((c, j) => `<text x="${pad + j * (cell + pad) + cell / 2}" y="14" font-family="sans-serif" font-size="13" text-anchor="middle">${c.label}</text>`)
  .join('');
tiles.push({ input: Buffer.from(`<svg width="${width}" height="${header}">${labels}</svg>`), left: 0, top: 0 });
fs.mkdirSync(path.dirname(a.out), { recursive: true });
await sharp({ create: { width, height, channels: 3, background: '#ffffff' } }).composite(tiles).png().toFile(a.out);
console.log(`wrote ${a.out}: ${n} test images × ${columns.length} columns (${columns.map((c) => c.label).join(', ')})`);
