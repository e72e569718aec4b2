import { beforeAll, describe, expect, it } from 'vitest';
import { tf, useBackend, resolveHyperParams, createModel, disposeModel, train, Rng, NetOptimizer, batchOf, getMethod, boxSpace, simplexSpace, type HyperParamOverrides, type Task } from '../src/index.js';
import { createReplayBuffer } from '../src/methods/dvn-replay.js';
import { drawSamples, stratifiedSamples } from '../src/methods/dvn-samples.js';
import { syntheticData, syntheticTask, softF1, L } from './fixtures/synthetic-task.js';

const data = syntheticData();
const B = 16;

/** The outputs DVN's value-net update is fitted on, caught where it asks the oracle for their targets. */
function tuplesOf(overrides: HyperParamOverrides, epoch?: number): { tuples: number[][]; truth: number[][]; seen: number[][][] } {
  const base = syntheticTask();
  const seen: number[][][] = [];
  const task: Task = { ...base, oracle: (y, yStar) => (seen.push(y.arraySync() as number[][]), base.oracle(y, yStar)) };
  // η = 0: the one-step tuples stay at their start points, which is what this test looks at.
  const hp = resolveHyperParams(task, 'dvn', { dvnEta: 0, dvnInferenceProb: 0, ...overrides });
  const model = createModel(task, 'dvn', hp, data.train, new Rng(3).fork('init'));
  const optimizers = { energy: new NetOptimizer(model.energy!.params, hp, hp.lr) };
  const batch = batchOf(data.train, Array.from({ length: B }, (_, i) => i));
  const losses = getMethod('dvn').trainStep(batch, { model, task, hp, rng: new Rng(3).fork('train'), optimizers, epoch });
  const truth = batch.y.arraySync() as number[][];
  tf.dispose([...Object.values(losses), ...model.energy!.params.variables, batch.x, batch.y]);
  optimizers.energy.dispose();
  // The fit asks the oracle last (stratified samples ask it first, for their candidates' values;
  // adversarial steps once per step, for the value they climb away from).
  expect(seen.length).toBe(overrides.dvnSampleProb ? 10 : 1 + (overrides.dvnAdvInferenceProb ? (overrides.dvnAdvSteps ?? 1) : 0));
  return { tuples: seen[seen.length - 1]!, truth, seen };
}

const same = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]!) < 1e-6);

describe("DVN's one-step tuples", () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('start at the ground truth or at zeros by default', () => {
    const { tuples, truth } = tuplesOf({});
    const zeros = new Array(L).fill(0);
    expect(tuples.every((t, i) => same(t, truth[i]!) || same(t, zeros))).toBe(true);
    expect(tuples.some((t) => same(t, zeros))).toBe(true);
  });

  it("with dvnOtherTruth 1, start at the row's own ground truth or at one other row's (one shift for the batch)", () => {
    const { tuples, truth } = tuplesOf({ dvnOtherTruth: 1 });
    const own = tuples.map((t, i) => same(t, truth[i]!));
    expect(own.some((o) => !o)).toBe(true);
    const shifts = Array.from({ length: B - 1 }, (_, k) => k + 1).filter((s) =>
      tuples.every((t, i) => own[i] || same(t, truth[(i + s) % B]!)),
    );
    expect(shifts.length).toBeGreaterThan(0);
  });

  it('during dvnContrastEpochs, start at own or other ground truth even when every batch would run inference', () => {
    const contrast = { dvnInferenceProb: 1, dvnContrastEpochs: 2 };
    const early = tuplesOf(contrast, 2);
    const own = early.tuples.map((t, i) => same(t, early.truth[i]!));
    expect(own.some((o) => o)).toBe(true);
    expect(own.some((o) => !o)).toBe(true);
    expect(early.tuples.every((t, i) => own[i] || early.truth.some((y, j) => j !== i && same(t, y)))).toBe(true);
    // Afterwards the batch is an inference run: with η = 0 it stays at its start, zeros.
    const zeros = new Array(L).fill(0);
    expect(tuplesOf(contrast, 3).tuples.every((t) => same(t, zeros))).toBe(true);
  });

  it('with dvnSampleProb 1, are random binary outputs near the ground truth, the same for the same seed', () => {
    const far = tuplesOf({ dvnSampleProb: 1, dvnSampleTau: 10 });
    expect(far.tuples.flat().every((v) => v === 0 || v === 1)).toBe(true);
    expect(far.tuples.some((t, i) => !same(t, far.truth[i]!))).toBe(true);
    expect(tuplesOf({ dvnSampleProb: 1, dvnSampleTau: 10 }).tuples).toEqual(far.tuples);
  });

  it('with dvnTruthPairsProb 1, are ground truths: each row its own or one other row\'s, both kinds in a batch', () => {
    const { tuples, truth } = tuplesOf({ dvnTruthPairsProb: 1, dvnEta: 1 });
    const own = tuples.map((t, i) => same(t, truth[i]!));
    expect(own.some((o) => o) && own.some((o) => !o)).toBe(true);
    const shifts = Array.from({ length: B - 1 }, (_, k) => k + 1).filter((s) => tuples.every((t, i) => own[i] || same(t, truth[(i + s) % B]!)));
    expect(shifts.length).toBeGreaterThan(0);
  });

  it('with dvnAdvInferenceProb 1, move an inference output up the value net\'s loss, once per dvnAdvSteps', () => {
    // The oracle is asked for the value each adversarial step climbs away from, then for the fit.
    const { tuples, seen } = tuplesOf({ dvnEta: 0.5, dvnNormalized: true, dvnSteps: 3, dvnAdvInferenceProb: 1, dvnAdvSteps: 2 });
    const [inferred, afterOne] = [seen[0]!, seen[1]!];
    expect(tuples.flat().every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(afterOne.some((t, i) => !same(t, inferred[i]!))).toBe(true);
    expect(tuples.some((t, i) => !same(t, afterOne[i]!))).toBe(true);
    // A normalized step of size η per row (less where the box clips it).
    const moved = afterOne.map((t, i) => Math.hypot(...t.map((v, j) => v - inferred[i]![j]!)));
    expect(Math.max(...moved)).toBeLessThanOrEqual(0.5 + 1e-5);
    expect(Math.max(...moved)).toBeGreaterThan(0.1);
  });

  it('reject a probability above 1 and a temperature that is not positive', () => {
    expect(() => resolveHyperParams(syntheticTask(), 'dvn', { dvnOtherTruth: 1.5 })).toThrow(/dvnOtherTruth is a probability/);
    expect(() => resolveHyperParams(syntheticTask(), 'dvn', { dvnAdvInferenceProb: 2 })).toThrow(/dvnAdvInferenceProb is a probability/);
    expect(() => resolveHyperParams(syntheticTask(), 'dvn', { dvnReplay: 2.5 })).toThrow(/dvnReplay must be a whole number/);
    expect(() => resolveHyperParams(syntheticTask(), 'dvn', { dvnAdvSteps: 0 })).toThrow(/dvnAdvSteps must be a positive integer/);
    expect(() => resolveHyperParams(syntheticTask(), 'alen', { dvnReplay: 8 })).toThrow(/dvnReplay .* methods dvn and alen-dvn, not alen/);
    expect(resolveHyperParams(syntheticTask(), 'alen-dvn', { dvnReplay: 8 }).dvnReplay).toBe(8);
    expect(() => resolveHyperParams(syntheticTask(), 'dvn', { dvnSampleTau: 0 })).toThrow(/dvnSampleTau is a temperature/);
  });
});

describe("DVN's replay buffer", () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  const batchOfRows = (first: number, n: number) => ({
    x: tf.tensor2d(Array.from({ length: n }, (_, i) => [first + i, 0]), [n, 2]),
    y: tf.tensor2d(Array.from({ length: n }, (_, i) => [first + i]), [n, 1]),
    target: tf.tensor1d(Array.from({ length: n }, (_, i) => (first + i) / 100)),
  });

  it('samples rows it kept, with their own outputs and targets, drops the oldest batch when full, and frees everything', () => {
    const before = tf.memory().numTensors;
    const buf = createReplayBuffer(2);
    expect(buf.sample(new Rng(1), 4)).toBeUndefined();
    for (const first of [0, 10, 20]) {
      const b = batchOfRows(first, 3);
      buf.add(b);
      tf.dispose([b.x, b.y, b.target]);
    }
    expect(buf.size).toBe(6);
    const s = buf.sample(new Rng(1), 40)!;
    const xs = (s.x.arraySync() as number[][]).map((r) => r[0]!);
    const ys = (s.y.arraySync() as number[][]).map((r) => r[0]!);
    const ts = s.target.arraySync() as number[];
    expect(xs.length).toBe(40);
    // The first batch (rows 0..2) was dropped; rows keep their own output and target.
    expect(xs.every((v) => [10, 11, 12, 20, 21, 22].includes(v))).toBe(true);
    expect(new Set(xs).size).toBeGreaterThan(3);
    xs.forEach((v, i) => {
      expect(ys[i]).toBe(v);
      expect(ts[i]).toBeCloseTo(v / 100, 6);
    });
    tf.dispose([s.x, s.y, s.target]);
    buf.dispose();
    expect(buf.size).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('hands out what it keeps as named state and takes it back into another buffer, copied, in order', () => {
    const before = tf.memory().numTensors;
    const a = createReplayBuffer(3);
    for (const first of [0, 10]) {
      const b = batchOfRows(first, 2);
      a.add(b);
      tf.dispose([b.x, b.y, b.target]);
    }
    const state = a.state();
    expect(state.map((t) => t.name)).toEqual(['replay/0/x', 'replay/0/y', 'replay/0/target', 'replay/1/x', 'replay/1/y', 'replay/1/target']);
    const b = createReplayBuffer(3);
    b.restore(state, 'test');
    a.dispose(); // b holds copies
    expect(b.size).toBe(4);
    expect((b.state()[3]!.tensor.arraySync() as number[][]).map((r) => r[0])).toEqual([10, 11]);
    // The same draws from the same generator: a restored buffer samples what the original would have.
    const s = b.sample(new Rng(2), 5)!;
    expect((s.y.arraySync() as number[][]).every((r) => [0, 1, 10, 11].includes(r[0]!))).toBe(true);
    tf.dispose([s.x, s.y, s.target]);
    expect(() => b.restore(state.slice(0, 2), 'ck/method.bin')).toThrow(/ck\/method\.bin: replay buffer state has 2 tensors/);
    b.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is freed when training ends: dvnReplay leaves no tensor behind', async () => {
    const task = syntheticTask();
    const small = syntheticData({ train: 200, val: 50, test: 50 });
    const before = tf.memory().numTensors;
    const hp = resolveHyperParams(task, 'dvn', { epochs: 2, dvnReplay: 8 });
    const res = await train({ task, method: 'dvn', hp, data: small, seed: 0 });
    disposeModel(res.model);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("DVN's stratified samples", () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  const rows = 32;
  const d = 400;
  const binaryTruth = () => {
    const r = new Rng('truth');
    return tf.tensor2d(Array.from({ length: rows * d }, () => (r.next() < 0.3 ? 1 : 0)), [rows, d]);
  };

  function sampleBox(tau: number): { flipped: number; value: number; binary: boolean } {
    const yStar = binaryTruth();
    const y = stratifiedSamples(yStar, boxSpace(), softF1, tau, drawSamples(new Rng(5), rows));
    const v = softF1(y, yStar);
    const out = {
      flipped: tf.tidy(() => tf.mean(tf.abs(tf.sub(y, yStar))).dataSync()[0]!),
      value: tf.tidy(() => tf.mean(v).dataSync()[0]!),
      binary: (y.dataSync() as Float32Array).every((x) => x === 0 || x === 1),
    };
    tf.dispose([yStar, y, v]);
    return out;
  }

  it('stay near y* at the paper τ and spread out at a large τ (box: flipped positions)', () => {
    const before = tf.memory().numTensors;
    const near = sampleBox(0.05);
    const wide = sampleBox(10);
    expect(tf.memory().numTensors).toBe(before);
    expect(near.binary && wide.binary).toBe(true);
    expect(near.value).toBeGreaterThan(0.85);
    expect(near.flipped).toBeGreaterThan(0);
    expect(wide.flipped).toBeGreaterThan(2 * near.flipped);
    expect(wide.value).toBeLessThan(near.value);
  });

  it('move a changed simplex position to a vertex of another class', () => {
    const C = 3;
    const r = new Rng('classes');
    const classes = Array.from({ length: rows * 64 }, () => r.int(C));
    const yStar = tf.tidy(() => tf.reshape(tf.cast(tf.oneHot(tf.tensor1d(classes, 'int32'), C), 'float32'), [rows, 8, 8, C]));
    const pixelAccuracy = (y: tf.Tensor, s: tf.Tensor) => tf.tidy(() => tf.mean(tf.sum(tf.mul(y, s), -1), [1, 2]));
    const y = stratifiedSamples(yStar, simplexSpace(), pixelAccuracy, 0.5, drawSamples(new Rng(6), rows));
    const values = y.dataSync();
    const picked = tf.argMax(y, -1).dataSync();
    tf.dispose([yStar, y]);
    for (let p = 0; p < classes.length; p++) {
      const pixel = Array.from(values.slice(p * C, p * C + C));
      expect(pixel.sort()).toEqual([0, 0, 1]);
    }
    const changed = classes.filter((c, p) => picked[p] !== c).length;
    expect(changed).toBeGreaterThan(0);
    expect(changed).toBeLessThan(classes.length / 2);
  });
});
