import { it } from 'vitest';
import { useBackend, train, resolveHyperParams, evaluateModel } from '@alen/core';
import { weizmannTask } from '../src/index.js';
import { DATA_ROOT } from './helpers.js';
const method = (process.env.M ?? 'infnet') as 'infnet' | 'alen' | 'dvn';
it(method, async () => {
  await useBackend('wasm');
  const data = await weizmannTask.load({ dataDir: DATA_ROOT, seed: 1, options: {} });
  const hp = resolveHyperParams(weizmannTask, method, { epochs: Number(process.env.E ?? 20), valEvery: Number(process.env.V ?? 5), testStepsCandidates: [Number(process.env.T ?? 10)] });
  const t0 = Date.now();
  const res = await train({ task: weizmannTask, method, hp, data, seed: 1, callbacks: [{ onEpochEnd: (r: unknown) => console.log(JSON.stringify(r), Date.now() - t0) } as never] });
  const t1 = Date.now();
  const m = await evaluateModel(res.model, data.test);
  console.log(method, 'train ms', t1 - t0, 'test eval ms', Date.now() - t1, JSON.stringify(res.best), 'TEST', JSON.stringify(m), 'steps/s', res.stepsPerSecond);
}, 3000000);
