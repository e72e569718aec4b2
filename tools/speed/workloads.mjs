// The project's side of the speed comparison with the PyTorch peers (../shared/peers): the same
// workloads, measured with the library's own training steps on one TensorFlow.js backend.
// Each workload returns the median time of one step after warm-up, and what one step is.
import path from 'node:path';
import { Rng, createModel, getMethod, getTask, resolveHyperParams, NetOptimizer, batchOf, tf, train, disposeModel, takeFirst } from '@alen/core';
import '@alen/multilabel';
import '@alen/weizmann';
import '@alen/lfw';

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Runs `fn` `warmup` times, then `reps` timed times; returns the median milliseconds. With
 * `profile`, the timed steps run under tf.profile and the kernels are returned per step.
 */
export async function timeMedian(fn, { warmup = 3, reps = 20, profile = false } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  const ms = [];
  const timed = async () => {
    for (let i = 0; i < reps; i++) {
      const t = performance.now();
      await fn();
      ms.push(performance.now() - t);
    }
  };
  let kernels;
  if (profile) {
    const info = await tf.profile(timed);
    const byName = new Map();
    const shapes = process.env.ALEN_PROFILE_SHAPES === '1'; // one row per kernel and input shapes
    for (const k of info.kernels) {
      const name = shapes ? `${k.name} ${JSON.stringify(k.inputShapes)}` : k.name;
      const e = byName.get(name) ?? { name, calls: 0, ms: 0 };
      e.calls += 1 / reps;
      e.ms += (typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0) / reps;
      byName.set(name, e);
    }
    kernels = [...byName.values()].sort((a, b) => b.ms - a.ms);
  } else {
    await timed();
  }
  return { medianMs: median(ms), meanMs: ms.reduce((a, b) => a + b, 0) / ms.length, minMs: Math.min(...ms), maxMs: Math.max(...ms), reps, ...(kernels ? { kernels } : {}) };
}

const dataCache = new Map();
async function taskData(dataDir, name) {
  if (!dataCache.has(name)) dataCache.set(name, await getTask(name).load({ dataDir, seed: 0, options: {} }));
  return dataCache.get(name);
}
const bibtexData = (dataDir) => taskData(dataDir, 'bibtex');

/**
 * One training step of `method` with the task's defaults on its real batches, cycling through the
 * training split in order (augmented as the trainer does, once per batch); `stepsPerEpoch` converts
 * the step time into the epoch time the peers report.
 */
async function taskStep(dataDir, name, method, overrides, opts) {
  const task = getTask(name);
  const data = await taskData(dataDir, name);
  const hp = resolveHyperParams(task, method, overrides);
  const rng = new Rng(0);
  const model = createModel(task, method, hp, { xShape: data.train.xShape, yShape: data.train.yShape }, rng.fork('init'));
  const optimizers = {
    energy: model.energy ? new NetOptimizer(model.energy.params, hp, hp.lr) : undefined,
    inference: model.inference ? new NetOptimizer(model.inference.params, hp, hp.lrG ?? hp.lr) : undefined,
  };
  const m = getMethod(method);
  const ctx = { model, task, hp, rng: rng.fork('train'), optimizers };
  const bs = hp.batchSize;
  const stepsPerEpoch = Math.ceil(data.train.size / bs);
  const augmentRng = new Rng(1);
  const batches = Array.from({ length: Math.min(stepsPerEpoch, 40) }, (_, i) => {
    const idx = Array.from({ length: bs }, (_, j) => (i * bs + j) % data.train.size);
    const b = batchOf(data.train, idx);
    return task.augment ? task.augment(b, augmentRng, hp) : b; // augment disposes what it replaces
  });
  let i = 0;
  const step = () => {
    const b = batches[i++ % batches.length];
    const losses = m.trainStep(b, ctx);
    // Reading the losses back is what the trainer does once per step (progress and NaN checks).
    for (const v of Object.values(losses)) {
      v.dataSync();
      v.dispose();
    }
  };
  const before = tf.memory().numTensors;
  const t = await timeMedian(step, opts);
  const leaked = tf.memory().numTensors - before;
  tf.dispose(batches.flatMap((b) => [b.x, b.y]));
  for (const n of [model.energy, model.inference]) n?.params.dispose();
  optimizers.energy?.dispose();
  optimizers.inference?.dispose();
  return { ...t, batch: bs, stepsPerEpoch, epochS: (t.meanMs * stepsPerEpoch) / 1000, leakedTensors: leaked };
}

/**
 * Epoch time through the library's own trainer (shuffling, batching, loss read-back included, no
 * validation): `epochs` epochs, the median of all but the first.
 */
async function bibtexEpoch(dataDir, method, overrides, epochs = 4) {
  const task = getTask('bibtex');
  const data = await bibtexData(dataDir);
  const hp = resolveHyperParams(task, method, { ...overrides, epochs, valEvery: 1000, testStepsCandidates: undefined });
  const before = tf.memory().numTensors;
  const res = await train({ task, method, hp, data: { ...data, val: takeFirst(data.val, 32) }, seed: 0 });
  disposeModel(res.model);
  const times = res.history.slice(1).map((r) => r.epochSeconds * 1000);
  const stepsPerEpoch = Math.ceil(data.train.size / hp.batchSize);
  const medianMs = median(times);
  return {
    medianMs, meanMs: times.reduce((a, b) => a + b, 0) / times.length, minMs: Math.min(...times), maxMs: Math.max(...times), reps: times.length,
    batch: hp.batchSize, stepsPerEpoch, msPerStep: medianMs / stepsPerEpoch, leakedTensors: tf.memory().numTensors - before,
  };
}

/** The Weizmann value net (SPEC.md §3) at 24×24, batch 32: image and mask scored together. */
function weizmannValueNet() {
  const task = getTask('weizmann');
  const hp = resolveHyperParams(task, 'dvn');
  const rng = new Rng(0);
  const net = task.createEnergy({ hp, xShape: [24, 24, 3], yShape: [24, 24, 1], rng });
  const data = new Rng(1);
  const B = 32;
  const x = tf.tensor4d(Float32Array.from({ length: B * 24 * 24 * 3 }, () => data.next()), [B, 24, 24, 3]);
  const y = tf.tensor4d(Float32Array.from({ length: B * 24 * 24 }, () => data.next()), [B, 24, 24, 1]);
  const target = tf.tensor1d(Float32Array.from({ length: B }, () => data.next()));
  return { net, hp, x, y, target, rng };
}

export const WORKLOADS = {
  'gemm-512': {
    what: 'one 512×512 by 512×512 matrix product (compute ceiling of the backend)',
    async run(_dataDir, opts) {
      const r = new Rng(3);
      const a = tf.tensor2d(Float32Array.from({ length: 512 * 512 }, () => r.next()), [512, 512]);
      const b = tf.tensor2d(Float32Array.from({ length: 512 * 512 }, () => r.next()), [512, 512]);
      const t = await timeMedian(() => {
        // A fresh right operand each time, as in training (XNNPACK packs it per new tensor).
        const bb = tf.add(b, 0);
        const c = tf.matMul(a, bb);
        c.dataSync();
        tf.dispose([bb, c]);
      }, opts);
      tf.dispose([a, b]);
      return { ...t, gflops: (2 * 512 ** 3) / (t.medianMs * 1e6) };
    },
  },
  'bibtex-dvn-epoch': {
    what: 'DVN Bibtex training epoch, batch 20 (232 steps through the trainer)',
    run: (dataDir) => bibtexEpoch(dataDir, 'dvn'),
  },
  'bibtex-alen-epoch': {
    what: 'ALEN Bibtex training epoch, batch 32, T = 3 (145 steps through the trainer)',
    run: (dataDir) => bibtexEpoch(dataDir, 'alen', { trainSteps: 3 }),
  },
  'bibtex-dvn-step': {
    what: 'DVN Bibtex train step, batch 20 (tuple generation + SGD update)',
    run: (dataDir, opts) => taskStep(dataDir, 'bibtex', 'dvn', undefined, opts),
  },
  'bibtex-alen-step': {
    what: 'ALEN Bibtex train step, batch 32, T = 3 (g proposal, refinement, v and g updates)',
    run: (dataDir, opts) => taskStep(dataDir, 'bibtex', 'alen', { trainSteps: 3 }, opts),
  },
  'weizmann-alen-step': {
    what: "ALEN Weizmann train step with the task's defaults (FCN energy fitted per pixel, 24×24 crops)",
    run: (dataDir, opts) => taskStep(dataDir, 'weizmann', 'alen', undefined, opts),
  },
  'lfw-alen-step': {
    what: "ALEN LFW train step with the task's defaults (conv energy, 32×32, pixel simplex)",
    run: (dataDir, opts) => taskStep(dataDir, 'lfw', 'alen', undefined, opts),
  },
  'weizmann-value-train-step': {
    what: 'Weizmann value net train step, batch 32, 24×24 (forward, backward, Adam)',
    async run(_dataDir, opts) {
      const { net, hp, x, y, target, rng } = weizmannValueNet();
      const opt = new NetOptimizer(net.params, { ...hp, optimizer: 'adam' }, 1e-4);
      const mode = { training: true, rng };
      const before = tf.memory().numTensors;
      const t = await timeMedian(() => {
        const loss = opt.step(() => {
          const z = net.score(net.encode(x, mode), y, mode);
          return tf.mean(tf.add(tf.sub(tf.relu(z), tf.mul(z, target)), tf.log1p(tf.exp(tf.neg(tf.abs(z))))));
        });
        loss.dataSync();
        loss.dispose();
      }, opts);
      const leaked = tf.memory().numTensors - before;
      opt.dispose();
      net.params.dispose();
      tf.dispose([x, y, target]);
      return { ...t, batch: 32, leakedTensors: leaked };
    },
  },
  'weizmann-value-input-grad': {
    what: 'Weizmann value net d sigmoid(v)/d mask, batch 32, eval mode',
    async run(_dataDir, opts) {
      const { net, x, y, target } = weizmannValueNet();
      const mode = { training: false };
      const grad = tf.grad((m) => tf.sum(tf.sigmoid(net.score(net.encode(x, mode), m, mode))));
      const before = tf.memory().numTensors;
      const t = await timeMedian(() => {
        const g = grad(y);
        g.dataSync();
        g.dispose();
      }, opts);
      const leaked = tf.memory().numTensors - before;
      net.params.dispose();
      tf.dispose([x, y, target]);
      return { ...t, batch: 32, leakedTensors: leaked };
    },
  },
};

export function defaultDataDir(root) {
  return process.env.ALEN_DATA ?? path.resolve(root, '..', 'shared', 'data');
}

