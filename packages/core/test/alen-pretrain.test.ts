import { beforeAll, describe, expect, it } from 'vitest';
import { tf, useBackend, resolveHyperParams, createModel, Rng, NetOptimizer, batchOf, getMethod, type HyperParamOverrides } from '../src/index.js';
import { syntheticData, syntheticTask } from './fixtures/synthetic-task.js';

const data = syntheticData();

/** One ALEN step in `epoch`: how far each network's weights moved, and the losses it reported. */
function stepIn(epoch: number, overrides: HyperParamOverrides): { movedV: number; movedG: number; losses: string[]; g: number[] } {
  const task = syntheticTask();
  const hp = resolveHyperParams(task, 'alen', overrides);
  const model = createModel(task, 'alen', hp, data.train, new Rng(3).fork('init'));
  const optimizers = {
    energy: new NetOptimizer(model.energy!.params, hp, hp.lr),
    inference: new NetOptimizer(model.inference!.params, hp, hp.lr),
  };
  const snapshot = (vs: tf.Variable[]) => vs.map((v) => Array.from(v.dataSync()));
  const moved = (before: number[][], vs: tf.Variable[]) => vs.reduce((m, v, i) => Math.max(m, ...Array.from(v.dataSync(), (x, k) => Math.abs(x - before[i]![k]!))), 0);
  const v0 = snapshot(model.energy!.params.variables);
  const g0 = snapshot(model.inference!.params.variables);
  const batch = batchOf(data.train, Array.from({ length: 16 }, (_, i) => i));
  const out = getMethod('alen').trainStep(batch, { model, task, hp, rng: new Rng(3).fork('train'), optimizers, epoch });
  const res = { movedV: moved(v0, model.energy!.params.variables), movedG: moved(g0, model.inference!.params.variables), losses: Object.keys(out).sort(), g: snapshot(model.inference!.params.variables).flat() };
  tf.dispose([...Object.values(out), ...model.energy!.params.variables, ...model.inference!.params.variables, batch.x, batch.y]);
  optimizers.energy.dispose();
  optimizers.inference.dispose();
  return res;
}

describe('ALEN with pretrainG', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('trains g alone on its task loss during the first pretrainG epochs, then both networks', () => {
    const during = stepIn(2, { pretrainG: 2 });
    expect(during.movedV).toBe(0);
    expect(during.movedG).toBeGreaterThan(0);
    expect(during.losses).toEqual(['lossG', 'lossTask']);
    const after = stepIn(3, { pretrainG: 2 });
    expect(after.movedV).toBeGreaterThan(0);
    expect(after.losses).toEqual(['lossG', 'lossTask', 'lossV']);
  });

  it("leaves g's adversarial term out while pretraining: g's update is the InfNet baseline's", () => {
    const pre = stepIn(1, { pretrainG: 1 });
    const noAdv = stepIn(1, { lambdaG: 0 });
    const gap = (a: number[], b: number[]) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);
    expect(gap(pre.g, noAdv.g)).toBeLessThan(1e-7);
    expect(gap(stepIn(1, {}).g, noAdv.g)).toBeGreaterThan(1e-5);
  });

  it('is refused without the task loss, which is all g would learn from', () => {
    expect(() => stepIn(1, { pretrainG: 1, useTaskLoss: false, lambdaG: 1 })).toThrow(/pretrainG.*useTaskLoss/);
  });
});
