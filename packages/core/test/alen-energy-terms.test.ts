import { beforeAll, describe, expect, it } from 'vitest';
import { tf, useBackend, resolveHyperParams, createModel, Rng, NetOptimizer, batchOf, getMethod, type HyperParamOverrides, type Task } from '../src/index.js';
import { syntheticData, syntheticTask } from './fixtures/synthetic-task.js';

const data = syntheticData();
const B = 16;

/** One ALEN step: every output its energy update (Eq. 6) asks the oracle a target for, the batch's ground truth, the energy loss. */
function targetsOf(overrides: HyperParamOverrides, mapOracle: (h: tf.Tensor1D) => tf.Tensor1D = (h) => h): { outputs: number[][][]; truth: number[][]; lossV: number; gEval: number[][] } {
  const base = syntheticTask();
  const seen: number[][][] = [];
  const task: Task = { ...base, oracle: (y, yStar) => (seen.push(y.arraySync() as number[][]), mapOracle(base.oracle(y, yStar))) };
  const hp = resolveHyperParams(task, 'alen', { lambdaG: 0, ...overrides });
  const model = createModel(task, 'alen', hp, data.train, new Rng(5).fork('init'));
  const optimizers = {
    energy: new NetOptimizer(model.energy!.params, hp, hp.lr),
    inference: new NetOptimizer(model.inference!.params, hp, hp.lr),
  };
  const index = Int32Array.from({ length: B }, (_, i) => i);
  const batch = { ...batchOf(data.train, index), index };
  const gEval = tf.tidy(() => task.outputSpace.activate(model.inference!.logits(batch.x, { training: false })).arraySync() as number[][]);
  const losses = getMethod('alen').trainStep(batch, { model, task, hp, rng: new Rng(5).fork('train'), optimizers });
  const truth = batch.y.arraySync() as number[][];
  const lossV = losses.lossV!.dataSync()[0]!;
  tf.dispose([...Object.values(losses), ...model.energy!.params.variables, ...model.inference!.params.variables, batch.x, batch.y]);
  optimizers.energy.dispose();
  optimizers.inference.dispose();
  return { outputs: seen, truth, lossV, gEval };
}

const same = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]!) < 1e-6);
const close = (a: number[][], b: number[][]) => a.every((r, i) => r.every((v, k) => Math.abs(v - b[i]![k]!) < 1e-5));
/** The shifts s for which `rows` is the ground truth rolled by s (row i holds truth[(i + s) mod B]). */
const rolledBy = (rows: number[][], truth: number[][]) =>
  Array.from({ length: B - 1 }, (_, k) => k + 1).filter((s) => rows.every((r, i) => same(r, truth[(i + s) % B]!)));

describe("ALEN's optional energy terms (otherTruthV, mixTruthV, dvnTuplesV)", () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it("is absent by default: Eq. 6 fits y' and y'' only", () => {
    const { outputs, truth } = targetsOf({});
    expect(outputs).toHaveLength(2);
    expect(outputs.every((o) => rolledBy(o, truth).length === 0)).toBe(true);
  });

  it("with otherTruthV > 0, also fits the batch's ground truth rolled by one shift", () => {
    const { outputs, truth } = targetsOf({ otherTruthV: 1 });
    expect(outputs).toHaveLength(3);
    const other = outputs.find((o) => rolledBy(o, truth).length > 0);
    expect(other).toBeDefined();
    expect(other!.some((r, i) => !same(r, truth[i]!))).toBe(true);
  });

  it("with energyProposals 'both', also fits the cross-fitted proposals and their refinements", () => {
    const own = targetsOf({});
    const both = targetsOf({ energyProposals: 'both' });
    expect(both.outputs).toHaveLength(4);
    // g's own proposal and its refinement are still fitted first, unchanged by the extra terms
    expect(close(both.outputs[0]!, own.outputs[0]!)).toBe(true);
    expect(both.outputs.slice(1).some((o) => close(o, own.outputs[0]!))).toBe(false);
    expect(() => resolveHyperParams(syntheticTask(), 'alen-dvn', { energyProposals: 'both' })).toThrow(/energyProposals 'both' adds terms to Eq\. 6/);
    expect(() => resolveHyperParams(syntheticTask(), 'alen-dvn', { energyProposals: 'crossfit' })).toThrow(/needs dvnTupleStart 'proposal'/);
    expect(resolveHyperParams(syntheticTask(), 'alen-dvn', { energyProposals: 'crossfit', dvnTupleStart: 'proposal' }).energyProposals).toBe('crossfit');
  });

  it("is refused with alen-dvn, whose energy does not train Eq. 6", () => {
    expect(() => resolveHyperParams(syntheticTask(), 'alen-dvn', { otherTruthV: 1 })).toThrow(/otherTruthV weighs a term of Eq\. 6.*dvnOtherTruth/);
    expect(() => resolveHyperParams(syntheticTask(), 'alen-dvn', { hardV: 1 })).toThrow(/hardV weighs a term of Eq\. 6/);
    expect(resolveHyperParams(syntheticTask(), 'alen-dvn', {}).otherTruthV).toBe(0);
  });

  it("with mixTruthV > 0, also fits a point on each row's segment from y' to y*, targeted by the oracle", () => {
    const { outputs, truth } = targetsOf({ mixTruthV: 1 });
    expect(outputs).toHaveLength(3);
    const [yP, , mix] = outputs as [number[][], number[][], number[][]];
    // Row i of the mix is α_i·y* + (1 − α_i)·y′ for one α_i in [0, 1], and not y′ itself.
    const alphas = mix.map((row, i) => {
      const j = truth[i]!.findIndex((t, k) => Math.abs(t - yP[i]![k]!) > 1e-3);
      return (row[j]! - yP[i]![j]!) / (truth[i]![j]! - yP[i]![j]!);
    });
    mix.forEach((row, i) => row.forEach((v, k) => expect(v).toBeCloseTo(alphas[i]! * truth[i]![k]! + (1 - alphas[i]!) * yP[i]![k]!, 4)));
    expect(alphas.every((a) => a >= 0 && a <= 1)).toBe(true);
    expect(new Set(alphas.map((a) => a.toFixed(3))).size).toBeGreaterThan(B / 2);
    expect(() => resolveHyperParams(syntheticTask(), 'alen-dvn', { mixTruthV: 1 })).toThrow(/mixTruthV weighs a term of Eq\. 6/);
  });

  it("with mixOtherV > 0, also fits y' mixed with another example's ground truth, targeted by the oracle against this one's", () => {
    const { outputs, truth } = targetsOf({ mixOtherV: 1 });
    expect(outputs).toHaveLength(3);
    const [yP, , mix] = outputs as [number[][], number[][], number[][]];
    // One shift s for the batch; row i is α_i·y*_{i+s} + (1 − α_i)·y′_i.
    const fits = (s: number) =>
      mix.every((row, i) => {
        const other = truth[(i + s) % B]!;
        const j = other.findIndex((t, k) => Math.abs(t - yP[i]![k]!) > 1e-3);
        const a = j < 0 ? 0 : (row[j]! - yP[i]![j]!) / (other[j]! - yP[i]![j]!);
        return a >= -1e-6 && a <= 1 + 1e-6 && row.every((v, k) => Math.abs(v - (a * other[k]! + (1 - a) * yP[i]![k]!)) < 1e-4);
      });
    const shifts = Array.from({ length: B - 1 }, (_, k) => k + 1).filter(fits);
    expect(shifts).toHaveLength(1);
    expect(() => resolveHyperParams(syntheticTask(), 'alen-dvn', { mixOtherV: 1 })).toThrow(/mixOtherV weighs a term of Eq\. 6/);
  });

  it("with dvnTuplesV > 0, also fits DVN's tuples: with a zero step, each row the start point or the ground truth", () => {
    const { outputs, truth } = targetsOf({ dvnTuplesV: 1, dvnInferenceProb: 0, dvnEta: 0 });
    expect(outputs).toHaveLength(3);
    const tuples = outputs[2]!;
    const kinds = tuples.map((row, i) => (same(row, truth[i]!) ? 'truth' : row.every((v) => v === 0) ? 'zeros' : 'other'));
    expect(kinds).not.toContain('other');
    expect(new Set(kinds).size).toBe(2);
    expect(() => resolveHyperParams(syntheticTask(), 'alen-dvn', { dvnTuplesV: 1 })).toThrow(/dvnTuplesV weighs a term of Eq\. 6.*tuples alone/);
  });

  it("with pathV > 0, also fits the refinement of y' after a random 1..pathSteps steps per row", () => {
    // With one step allowed the path's output is y'' of a one-step refinement, row for row.
    const one = targetsOf({ pathV: 1, pathSteps: 1, trainSteps: 1 });
    expect(one.outputs).toHaveLength(3);
    const [yP, yRefined, path] = one.outputs as [number[][], number[][], number[][]];
    expect(close(path, yRefined)).toBe(true);
    expect(close(path, yP)).toBe(false);
    // With up to 6 steps some rows go further than y'' (1 step) and some stop there.
    const six = targetsOf({ pathV: 1, pathSteps: 6, trainSteps: 1 });
    const [, y1, far] = six.outputs as [number[][], number[][], number[][]];
    const sameRow = far.map((r, i) => r.every((v, k) => Math.abs(v - y1[i]![k]!) < 1e-5));
    expect(sameRow.some((s) => s)).toBe(true);
    expect(sameRow.some((s) => !s)).toBe(true);
    expect(() => resolveHyperParams(syntheticTask(), 'alen', { pathV: 1, pathSteps: 0 })).toThrow(/pathSteps must be a positive integer/);
    expect(() => resolveHyperParams(syntheticTask(), 'alen-dvn', { pathV: 1 })).toThrow(/pathV weighs a term of Eq\. 6/);
  });

  it("proposes y' with g in train mode (dropout) by default, in eval mode with proposalMode 'eval'", () => {
    const train = targetsOf({ arch: { dropout: 0.5 } });
    expect(close(train.outputs[0]!, train.gEval)).toBe(false);
    const evalMode = targetsOf({ arch: { dropout: 0.5 }, proposalMode: 'eval' });
    expect(close(evalMode.outputs[0]!, evalMode.gEval)).toBe(true);
    expect(() => resolveHyperParams(syntheticTask(), 'alen', { proposalMode: 'test' as never })).toThrow(/proposalMode/);
  });

  it("drops out g's input when it proposes y' with proposalInputDropout > 0", () => {
    const plain = targetsOf({ proposalMode: 'eval' });
    const dropped = targetsOf({ proposalMode: 'eval', proposalInputDropout: 0.5 });
    expect(close(plain.outputs[0]!, plain.gEval)).toBe(true);
    expect(close(dropped.outputs[0]!, dropped.gEval)).toBe(false);
    expect(() => resolveHyperParams(syntheticTask(), 'alen', { proposalInputDropout: 1 })).toThrow(/proposalInputDropout must be a rate/);
  });

  it("fits Eq. 6's terms to the oracle on each output's decoding with energyTargets 'hard'", () => {
    const binary = (rows: number[][]) => rows.every((r) => r.every((v) => v === 0 || v === 1));
    const soft = targetsOf({ mixTruthV: 1 });
    expect(soft.outputs.some((o) => !binary(o))).toBe(true);
    const hard = targetsOf({ mixTruthV: 1, energyTargets: 'hard' });
    expect(hard.outputs).toHaveLength(3);
    expect(hard.outputs.every(binary)).toBe(true);
    // the decoding of y' is y' thresholded at 0.5
    soft.outputs[0]!.forEach((r, i) => r.forEach((v, k) => expect(hard.outputs[0]![i]![k]).toBe(v >= 0.5 ? 1 : 0)));
  });

  it("raises Eq. 6's targets to energyTargetPower: the same loss as an oracle raised to that power", () => {
    for (const energyLoss of ['square', 'bce'] as const) {
      const plain = targetsOf({ mixTruthV: 1, energyLoss }).lossV;
      const powered = targetsOf({ mixTruthV: 1, energyLoss, energyTargetPower: 3 }).lossV;
      const cubedOracle = targetsOf({ mixTruthV: 1, energyLoss }, (h) => tf.pow(h, 3) as tf.Tensor1D).lossV;
      expect(powered).not.toBeCloseTo(plain, 4);
      expect(powered).toBeCloseTo(cubedOracle, 5);
    }
    for (const bad of [0, -1, Number.NaN]) {
      expect(() => resolveHyperParams(syntheticTask(), 'alen', { energyTargetPower: bad })).toThrow(/energyTargetPower must be a finite number > 0/);
    }
  });

  it('changes the energy loss by its weight', () => {
    const loss = (w: number) => targetsOf({ otherTruthV: w }).lossV;
    const [l0, l1, l3] = [loss(0), loss(1), loss(3)];
    expect(l1).toBeGreaterThan(l0);
    expect(l3).toBeGreaterThan(l1);
  });

  it("weighs the ground truth's term by truthV", () => {
    const loss = (w: number) => targetsOf({ truthV: w }).lossV;
    const [l0, l1, l2] = [loss(0), loss(1), loss(2)];
    expect(l1).toBeGreaterThan(l0);
    expect(l2 - l1).toBeCloseTo(l1 - l0, 5);
  });
});
