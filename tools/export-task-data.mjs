#!/usr/bin/env node
// Writes a registered task's splits as raw little-endian float32 files, as the task's loader
// prepares them (decoded, resized, standardized), with their shapes in meta.json:
//   <out>/<split>_x.f32  [N, ...xShape]    <out>/<split>_y.f32  [N, ...yShape]
// For tools outside Node (the PyTorch probes in tools/torch, which run on a machine without Node).
// Keep the folder out of git (.devdata/ is in .gitignore) and delete it after use: it is a copy of the data.
//   node tools/export-task-data.mjs --task lfw --out .devdata/lfw32 [--splits train,val] [--seed 0]
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { getTask, useBackend } from '@alen/core';
import '@alen/multilabel';
import '@alen/weizmann';
import '@alen/lfw';

const { values: a } = parseArgs({
  options: {
    task: { type: 'string' },
    out: { type: 'string' },
    splits: { type: 'string', default: 'train,val' },
    seed: { type: 'string', default: '0' },
    data: { type: 'string', default: path.join('..', 'shared', 'data') },
  },
});
if (!a.task || !a.out) {
  console.error('usage: node tools/export-task-data.mjs --task NAME --out DIR [--splits train,val,test] [--seed N] [--data DIR]');
  process.exit(2);
}
const splits = a.splits.split(',').map((s) => s.trim()).filter(Boolean);
const bad = splits.filter((s) => !['train', 'val', 'test'].includes(s));
if (bad.length) {
  console.error(`unknown split(s) ${bad.join(', ')}: choose from train, val, test`);
  process.exit(2);
}

await useBackend('wasm');
const task = getTask(a.task);
const data = await task.load({ dataDir: a.data, seed: Number(a.seed), options: {}, log: (m) => console.error(m) });
fs.mkdirSync(a.out, { recursive: true });
const meta = { task: a.task, seed: Number(a.seed), dtype: 'float32', layout: 'row-major, example first', splits: {} };
for (const s of splits) {
  const d = data[s];
  for (const [k, arr] of [['x', d.x], ['y', d.y]]) {
    const file = path.join(a.out, `${s}_${k}.f32`);
    fs.writeFileSync(`${file}.tmp`, Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength));
    fs.renameSync(`${file}.tmp`, file);
  }
  meta.splits[s] = { size: d.size, xShape: [d.size, ...d.xShape], yShape: [d.size, ...d.yShape], ids: d.ids ?? null };
  console.log(`${a.task}/${s}: ${d.size} examples, x [${d.xShape}], y [${d.yShape}]`);
}
fs.writeFileSync(path.join(a.out, 'meta.json'), JSON.stringify(meta, null, 1) + '\n');
console.log(`wrote ${path.join(a.out, 'meta.json')}`);
