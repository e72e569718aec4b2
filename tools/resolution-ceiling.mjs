#!/usr/bin/env node
// What a perfect prediction at the task's working resolution scores on the full-resolution
// metrics: the split's own targets (LFW: 32×32 class proportions, area-averaged from the label
// images) evaluated as if they were a model's output. No model at that resolution can beat it.
//   node tools/resolution-ceiling.mjs --task lfw [--split test]
import path from 'node:path';
import { parseArgs } from 'node:util';
import { getTask, useBackend } from '@alen/core';
import '@alen/multilabel';
import '@alen/weizmann';
import '@alen/lfw';

const { values: a } = parseArgs({
  options: {
    task: { type: 'string', default: 'lfw' },
    split: { type: 'string', default: 'test' },
    seed: { type: 'string', default: '0' },
    data: { type: 'string', default: path.join('..', 'shared', 'data') },
  },
});
await useBackend('wasm');
const task = getTask(a.task);
const data = await task.load({ dataDir: a.data, seed: Number(a.seed), options: {} });
const split = data[a.split];
if (!split) throw new Error(`task ${a.task} has no split '${a.split}'`);
const m = task.evaluate(split.y, split);
console.log(`${a.task} ${a.split} (${split.size} examples): the targets themselves as predictions`);
for (const [k, v] of Object.entries(m)) console.log(`  ${k}: ${v.toFixed(2)}`);
