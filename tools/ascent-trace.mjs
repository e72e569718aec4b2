#!/usr/bin/env node
// Follows a trained model's test-time ascent (ALEN family: from g(x); DVN: from its start point)
// on one split: at each step count, the task's primary metric, the oracle's soft value h(y_t, y*) that v was trained to predict, and v's
// own rating σ(v(x, y_t)). Where σ(v) rises while h falls, the ascent is exploiting the energy.
//   node tools/ascent-trace.mjs --task bibtex --run runs/bench/paper/bibtex/alen-s0 --seed 0 --split val
// The seed must be the run's seed: it decides the validation hold-out. Tasks with test-time views
// (Weizmann's crops) are not supported: their energy scores crops, not whole outputs.
import path from 'node:path';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { getTask, loadCheckpoint, predictDataset, tf, useBackend } from '@alen/core';
import '@alen/multilabel';
import '@alen/lfw';

const { values: a } = parseArgs({
  options: {
    task: { type: 'string' },
    run: { type: 'string' },
    seed: { type: 'string', default: '0' },
    split: { type: 'string', default: 'val' },
    steps: { type: 'string', default: '0,1,2,3,4,5,6,8,10,12,15' },
    limit: { type: 'string' },
    data: { type: 'string', default: process.env.ALEN_DATA ?? path.join('..', 'shared', 'data') },
  },
});
if (!a.task || !a.run) {
  console.error('usage: ascent-trace.mjs --task T --run RUN_DIR [--seed N] [--split val|test|train] [--steps 0,1,2,...] [--limit N]');
  process.exit(2);
}
const modelDir = fs.existsSync(path.join(a.run, 'model', 'model.json')) ? path.join(a.run, 'model') : a.run;
await useBackend(process.env.ALEN_BACKEND ?? 'wasm');
const task = getTask(a.task);
if (task.testViews) throw new Error(`task ${a.task} predicts on test-time views; ascent-trace scores whole outputs only`);
const { model } = await loadCheckpoint(modelDir);
if (!model.energy) throw new Error(`${modelDir}: its method (${model.method}) has no energy network to trace`);
const all = (await task.load({ dataDir: a.data, seed: Number(a.seed), options: {} }))[a.split];
if (!all) throw new Error(`task ${a.task} has no split '${a.split}'`);
const n = Math.min(all.size, a.limit ? Number(a.limit) : all.size);
const per = (shape) => shape.reduce((p, q) => p * q, 1);
const data = { ...all, size: n, x: all.x.subarray(0, n * per(all.xShape)), y: all.y.subarray(0, n * per(all.yShape)), ids: all.ids?.slice(0, n) };
const steps = a.steps.split(',').map(Number).sort((p, q) => p - q);
const key = task.primaryMetric;
const { recorded } = await predictDataset(model, data, { steps: 0, record: steps });
const x = tf.tensor(data.x, [n, ...data.xShape]);
const yStar = tf.tensor(data.y, [n, ...data.yShape]);
const h = model.energy.encode(x, { training: false });
const mean = (t) => tf.tidy(() => tf.mean(t).dataSync()[0]);
console.log(`${a.task} ${a.split} (${n} examples), ${modelDir}\n`);
console.log(`| steps | ${key} | oracle h(y, y*) | σ(v(x, y)) |\n| --- | --- | --- | --- |`);
steps.forEach((s, i) => {
  const y = tf.tensor(recorded[i], [n, ...data.yShape]);
  const soft = mean(task.oracle(y, yStar));
  const rated = tf.tidy(() => mean(tf.sigmoid(model.energy.score(h, y, { training: false }))));
  const metric = task.evaluate(recorded[i], data)[key];
  console.log(`| ${s} | ${metric.toFixed(2)} | ${soft.toFixed(4)} | ${rated.toFixed(4)} |`);
  y.dispose();
});
tf.dispose([x, yStar, h]);
