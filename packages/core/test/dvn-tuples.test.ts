import { beforeAll, describe, expect, it } from 'vitest';
import { tf, useBackend, resolveHyperParams, createModel, Rng, NetOptimizer, batchOf, getMethod, type HyperParamOverrides, type Task } from '../src/index.js';
import { syntheticData, syntheticTask, L } from './fixtures/synthetic-task.js';

const data = syntheticData();
const B = 16;

/** The outputs DVN's value-net update is fitted on, caught where it asks the oracle for their targets. */
function tuplesOf(overrides: HyperParamOverrides, epoch?: number): { tuples: number[][]; truth: number[][] } {
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
  expect(seen).toHaveLength(1);
  return { tuples: seen[0]!, truth };
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

  it('reject a probability above 1', () => {
    expect(() => resolveHyperParams(syntheticTask(), 'dvn', { dvnOtherTruth: 1.5 })).toThrow(/dvnOtherTruth is a probability/);
  });
});
