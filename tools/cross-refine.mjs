#!/usr/bin/env node
// Refines one trained model's inference-network outputs on another trained model's energy network
// (normalized ascent, as ALEN predicts) and prints the metric against the number of steps on
// validation and test. For diagnosis: which half of a model limits it.
//   node tools/cross-refine.mjs --task bibtex --inference runs/exp/infnet-s0 --energy runs/exp/dvn-s0 --seed 0
// The seed must be the runs' seed: it decides the validation hold-out.
import path from 'node:path';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { getTask, loadCheckpoint, stepCurve, useBackend } from '@alen/core';
import '@alen/multilabel';
import '@alen/weizmann';
import '@alen/lfw';

const { values: a } = parseArgs({
  options: {
    task: { type: 'string' },
    inference: { type: 'string' },
    energy: { type: 'string' },
    seed: { type: 'string', default: '0' },
    eta: { type: 'string', default: '1' },
    steps: { type: 'string', default: '0,1,2,3,4,5,6,8,10,12,15,20' },
    splits: { type: 'string', default: 'val,test' },
    data: { type: 'string', default: path.join('..', 'shared', 'data') },
  },
});
if (!a.task || !a.inference || !a.energy) {
  console.error('usage: cross-refine.mjs --task T --inference RUN --energy RUN [--seed N] [--eta 1] [--steps 0,1,2,...] [--splits val,test]');
  process.exit(2);
}
const modelDir = (run) => (fs.existsSync(path.join(run, 'model', 'model.json')) ? path.join(run, 'model') : run);
await useBackend('wasm');
const task = getTask(a.task);
const data = await task.load({ dataDir: a.data, seed: Number(a.seed), options: {} });
const { model: g } = await loadCheckpoint(modelDir(a.inference));
const { model: v } = await loadCheckpoint(modelDir(a.energy));
if (!g.inference) throw new Error(`${a.inference}: its method (${g.method}) has no inference network`);
if (!v.energy) throw new Error(`${a.energy}: its method (${v.method}) has no energy network`);
const hybrid = { ...g, method: 'alen', energy: v.energy, hp: { ...g.hp, eta: Number(a.eta) } };
const steps = a.steps.split(',').map(Number);
const key = task.primaryMetric;
console.log(`| split | ${steps.map((s) => `${s} steps`).join(' | ')} |\n| --- |${steps.map(() => ' --- |').join('')}`);
for (const split of a.splits.split(',')) {
  if (!data[split]) throw new Error(`--splits: unknown split '${split}' (train, val or test)`);
  const curve = await stepCurve(hybrid, data[split], steps);
  console.log(`| ${split} ${key} | ${curve.map((p) => p.metrics[key].toFixed(2)).join(' | ')} |`);
}
