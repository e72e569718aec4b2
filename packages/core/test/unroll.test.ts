import { beforeAll, describe, expect, it } from 'vitest';
import {
  tf, useBackend, gradientAscent, boxSpace, registerConvGradients, resolveHyperParams, createModel, Rng, NetOptimizer, batchOf, getMethod,
  type HyperParamOverrides,
} from '../src/index.js';
import { syntheticData, syntheticTask } from './fixtures/synthetic-task.js';
import { values } from './fixtures/values.js';

/** Σ_v ∂L/∂v · u_v on the tape, and the central difference of L along u (all variables moved at once). */
function directional(loss: () => tf.Scalar, vars: tf.Variable[], eps: number): { ad: number; fd: number } {
  const dirs = vars.map((v, i) => tf.tensor(values(v.size, 20 + i), v.shape));
  const { value, grads } = tf.variableGrads(loss, vars);
  const ad = vars.reduce((s, v, i) => s + tf.tidy(() => tf.sum(tf.mul(grads[v.name]!, dirs[i]!)).dataSync()[0]!), 0);
  const start = vars.map((v) => tf.clone(v));
  const at = (d: number) => {
    vars.forEach((v, i) => {
      const moved = tf.tidy(() => tf.add(start[i]!, tf.mul(dirs[i]!, d)));
      v.assign(moved);
      moved.dispose();
    });
    return tf.tidy(() => loss().dataSync()[0]!);
  };
  const fd = (at(eps) - at(-eps)) / (2 * eps);
  vars.forEach((v, i) => v.assign(start[i]!));
  tf.dispose([value, ...Object.values(grads), ...dirs, ...start]);
  return { ad, fd };
}

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`gradientAscent inside a gradient computation (${backend})`, () => {
    beforeAll(async () => {
      expect((await useBackend(backend)).name).toBe(backend);
      registerConvGradients();
    });

    it('differentiates through normalized steps on a conv energy (second order through the conv gradients)', async () => {
      await useBackend(backend);
      // v(x, y) = Σ c · softplus(conv2d([x, y], W, stride 2)): smooth, so a finite difference is exact
      // enough. (Not tanh: TF.js cannot differentiate twice through an op whose gradient reads its output.)
      const x = tf.tensor4d(values(2 * 6 * 6 * 2, 1), [2, 6, 6, 2]);
      const target = tf.tensor4d(values(2 * 6 * 6, 2).map((v) => (v > 0 ? 1 : 0)), [2, 6, 6, 1]);
      const y0 = tf.tensor4d(values(2 * 6 * 6, 3).map((v) => 0.5 + 0.1 * v), [2, 6, 6, 1]);
      const W = tf.variable(tf.tensor4d(values(3 * 3 * 3 * 4, 4).map((v) => 0.5 * v), [3, 3, 3, 4]), true);
      const c = tf.variable(tf.tensor1d(values(4, 5)), true);
      const energyOf = (y: tf.Tensor) =>
        tf.tidy(() => tf.sum(tf.mul(tf.softplus(tf.conv2d(tf.concat([x, y as tf.Tensor4D], 3), W, 2, 'same')), c), [1, 2, 3]));
      const loss = () =>
        tf.tidy(() => {
          const { y } = gradientAscent(energyOf, y0, boxSpace().project, { steps: 3, eta: 0.3, normalized: true, sigmoid: false });
          return tf.mean(tf.square(tf.sub(y, target))) as tf.Scalar;
        });
      const before = tf.memory().numTensors;
      const { ad, fd } = directional(loss, [W, c], 1e-3);
      expect(tf.memory().numTensors).toBe(before);
      expect(Math.abs(ad)).toBeGreaterThan(1e-3);
      expect(Math.abs(ad - fd) / Math.abs(fd)).toBeLessThan(0.02);
      tf.dispose([x, target, y0, W, c]);
    });
  });
}

describe("ALEN's unrolled energy term (unrollV)", () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  /** h(refine(g(x)), y*) − h(g(x), y*) averaged over a training batch, after `steps` ALEN updates. */
  function refinementGain(overrides: HyperParamOverrides, steps: number): number {
    const task = syntheticTask();
    const data = syntheticData({ train: 64, val: 1, test: 1 });
    const hp = resolveHyperParams(task, 'alen', { lambdaG: 0, eta: 0.5, trainSteps: 3, testSteps: 3, lr: 0.01, ...overrides });
    const model = createModel(task, 'alen', hp, data.train, new Rng(7).fork('init'));
    const optimizers = {
      energy: new NetOptimizer(model.energy!.params, hp, hp.lr),
      inference: new NetOptimizer(model.inference!.params, hp, hp.lr),
    };
    const method = getMethod('alen');
    const rng = new Rng(7).fork('train');
    const batch = batchOf(data.train, Array.from({ length: 64 }, (_, i) => i));
    for (let s = 0; s < steps; s++) tf.dispose(Object.values(method.trainStep(batch, { model, task, hp, rng, optimizers })));
    const gain = tf.tidy(() => {
      const { y } = method.predict(batch.x, { ...model, task, hp }, { steps: hp.testSteps });
      const y0 = task.outputSpace.activate(model.inference!.logits(batch.x, { training: false }));
      return tf.mean(tf.sub(task.oracle(y, batch.y), task.oracle(y0, batch.y))).dataSync()[0]!;
    });
    tf.dispose([...model.energy!.params.variables, ...model.inference!.params.variables, batch.x, batch.y]);
    optimizers.energy.dispose();
    optimizers.inference.dispose();
    return gain;
  }

  it('teaches v to make its own refinement raise the task score', () => {
    const plain = refinementGain({}, 40);
    const unrolled = refinementGain({ unrollV: 1 }, 40);
    expect(unrolled).toBeGreaterThan(0.01);
    expect(unrolled).toBeGreaterThan(plain + 0.03);
  });

  it('is refused with alen-dvn and when negative', () => {
    expect(() => resolveHyperParams(syntheticTask(), 'alen-dvn', { unrollV: 1 })).toThrow(/unrollV weighs a term of Eq\. 6/);
    expect(() => resolveHyperParams(syntheticTask(), 'alen', { unrollV: -1 })).toThrow(/unrollV/);
  });
});
