import { beforeAll, describe, expect, it } from 'vitest';
import {
  tf, useBackend, gradientAscent, boxSpace, simplexSpace, projectSimplex, createModel, resolveHyperParams, Rng,
  predictDataset, predictWithCurve, predictionSteps, stepCurve,
} from '../src/index.js';
import { syntheticTask, syntheticData, L } from './fixtures/synthetic-task.js';
import { adversarialStep } from '../src/methods/dvn.js';

beforeAll(async () => {
  await useBackend('wasm');
});

describe('gradient inference', () => {
  it('normalized ascent moves towards higher energy, one η-length step per example', async () => {
    const task = syntheticTask();
    const hp = resolveHyperParams(task, 'alen', {});
    const model = createModel(task, 'alen', hp, { xShape: [12], yShape: [L] }, new Rng(3));
    const data = syntheticData({ train: 16, val: 1, test: 1 });
    const x = tf.tensor2d(data.train.x, [16, 12]);
    const h = model.energy!.encode(x, { training: false });
    const energyOf = (y: tf.Tensor) => model.energy!.score(h, y, { training: false });
    const y0 = tf.fill([16, L], 0.5);
    // no projection: a small normalized step has length exactly η
    const one = gradientAscent(energyOf, y0, (y) => tf.clone(y), { steps: 1, eta: 0.01, normalized: true, sigmoid: false });
    const len = await tf.sqrt(tf.sum(tf.square(tf.sub(one.y, y0)), 1)).array();
    for (const l of len as number[]) expect(l).toBeCloseTo(0.01, 5);
    const e0 = (await energyOf(y0).array()) as number[];
    const e1 = (await energyOf(one.y).array()) as number[];
    e0.forEach((e, i) => expect(e1[i]!).toBeGreaterThan(e));
    // several projected steps keep raising the mean energy and stay in the box; recorded steps match
    const before = tf.memory().numTensors;
    const res = gradientAscent(energyOf, y0, boxSpace().project, { steps: 5, eta: 0.2, normalized: true, sigmoid: false, record: [0, 2, 5] });
    expect(tf.memory().numTensors).toBe(before + 4); // the output and three recorded steps, nothing else
    const means = await Promise.all(res.recorded.map(async (r) => (await tf.mean(energyOf(r)).array()) as number));
    expect(means[1]!).toBeGreaterThan(means[0]!);
    expect(means[2]!).toBeGreaterThan(means[1]!);
    expect(await tf.max(tf.abs(tf.sub(res.recorded[2]!, res.y))).array()).toBe(0);
    const v = await res.y.data();
    for (const a of v) expect(a >= 0 && a <= 1).toBe(true);
    tf.dispose([one.y, res.y, ...res.recorded, ...one.recorded]);
  });

  it('a closed-form scoreGrad gives the same steps as the tape (plain sigmoid and normalized)', async () => {
    // v(y) = Σ_i c_i y_i² − Σ_i y_i: ∂v/∂y = 2 c y − 1, written out by hand.
    const c = tf.tensor2d([[0.5, -1, 2, 0.1], [1, 1, -0.5, 3]]);
    const energyOf = (y: tf.Tensor) => tf.sub(tf.sum(tf.mul(c, tf.square(y)), 1), tf.sum(y, 1)) as tf.Tensor1D;
    const scoreGrad = (y: tf.Tensor) => ({ score: energyOf(y), grad: tf.sub(tf.mul(tf.mul(c, y), 2), 1) });
    const y0 = tf.tensor2d([[0.2, 0.4, 0.6, 0.8], [0.9, 0.1, 0.5, 0.3]]);
    for (const opts of [{ normalized: false, sigmoid: true }, { normalized: true, sigmoid: false }]) {
      const tape = gradientAscent(energyOf, y0, boxSpace().project, { steps: 4, eta: 0.3, ...opts });
      const closed = gradientAscent(energyOf, y0, boxSpace().project, { steps: 4, eta: 0.3, ...opts, scoreGrad });
      const a = await tape.y.data(), b = await closed.y.data();
      a.forEach((v, i) => expect(b[i]!, JSON.stringify(opts)).toBeCloseTo(v, 5));
      // a wrong closed form would move elsewhere: the test can fail
      const wrong = gradientAscent(energyOf, y0, boxSpace().project, { steps: 4, eta: 0.3, ...opts, scoreGrad: (y) => ({ score: energyOf(y), grad: tf.mul(c, y) }) });
      expect(Array.from(await wrong.y.data()).some((v, i) => Math.abs(v - a[i]!) > 1e-3)).toBe(true);
      tf.dispose([tape.y, closed.y, wrong.y]);
    }
    tf.dispose([c, y0]);
  });

  it("DVN's adversarial step raises the value net's loss, the same by closed form and by the tape", async () => {
    // v(y) = Σ_i c_i y_i² − Σ_i y_i as above, as an energy net with and without its closed form
    const c = tf.tensor2d([[0.5, -1, 2, 0.1], [1, 1, -0.5, 3]]);
    const score = (_h: tf.Tensor, y: tf.Tensor) => tf.sub(tf.sum(tf.mul(c, tf.square(y)), 1), tf.sum(y, 1)) as tf.Tensor1D;
    const tape = { params: undefined as never, encode: (x: tf.Tensor) => x, score };
    const closed = { ...tape, scoreGrad: (h: tf.Tensor, y: tf.Tensor) => ({ score: score(h, y), grad: tf.sub(tf.mul(tf.mul(c, y), 2), 1) }) };
    const y0 = tf.tensor2d([[0.2, 0.4, 0.6, 0.8], [0.9, 0.1, 0.5, 0.3]]);
    const target = tf.tensor1d([0.9, 0.05]);
    const loss = async (y: tf.Tensor) => {
      const z = score(y0, y);
      return (await tf.add(tf.sub(tf.relu(z), tf.mul(z, target)), tf.log1p(tf.exp(tf.neg(tf.abs(z))))).array()) as number[];
    };
    for (const dvnNormalized of [false, true]) {
      const hp = resolveHyperParams(syntheticTask(), 'dvn', { dvnEta: 0.1, dvnNormalized });
      const a = adversarialStep(tape, y0, y0, target, boxSpace(), hp);
      const b = adversarialStep(closed, y0, y0, target, boxSpace(), hp);
      const [av, bv] = [await a.data(), await b.data()];
      av.forEach((v, i) => expect(bv[i]!).toBeCloseTo(v, 5));
      const [l0, l1] = [await loss(y0), await loss(a)];
      l0.forEach((l, i) => expect(l1[i]!).toBeGreaterThan(l));
      if (dvnNormalized) {
        const len = (await tf.sqrt(tf.sum(tf.square(tf.sub(a, y0)), 1)).array()) as number[];
        len.forEach((l) => expect(l).toBeCloseTo(0.1, 4));
      }
      tf.dispose([a, b]);
    }
    tf.dispose([c, y0, target]);
  });

  it('asks for the score only when it needs it, and frees the memo when the ascent ends', () => {
    const c = tf.tensor2d([[0.5, -1, 2, 0.1]]);
    const y0 = tf.tensor2d([[0.2, 0.4, 0.6, 0.8]]);
    const energyOf = (y: tf.Tensor) => tf.sum(tf.mul(c, y), 1) as tf.Tensor1D;
    for (const opts of [{ normalized: false, sigmoid: true }, { normalized: true, sigmoid: false }]) {
      const asked: boolean[] = [];
      let made = 0;
      const before = tf.memory().numTensors;
      const res = gradientAscent(energyOf, y0, boxSpace().project, {
        steps: 3, eta: 0.1, ...opts,
        scoreGrad: (y, o) => {
          asked.push(o.score !== false);
          const twice = o.memo!.get('twice', () => (made++, tf.mul(c, 2)));
          return { score: energyOf(y), grad: tf.div(twice, 2) };
        },
      });
      expect(asked).toEqual([true, true, true].map(() => !opts.normalized));
      expect(made).toBe(1);
      res.y.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
    tf.dispose([c, y0]);
  });
});

describe('projections keep outputs feasible', () => {
  it('box projection clips to [0,1]', async () => {
    const y = boxSpace().project(tf.tensor1d([-3, 0.2, 1.7]));
    expect(Array.from(await y.data())).toEqual([0, expect.closeTo(0.2, 6), 1]);
  });

  it('simplex projection: non-negative, sums to 1, fixed points, closest point', async () => {
    const r = new Rng(7);
    const vals = Array.from({ length: 500 * 3 }, () => (r.next() - 0.5) * 6);
    const p = projectSimplex(tf.tensor3d(vals, [10, 50, 3]));
    const a = (await p.data()) as Float32Array;
    for (let i = 0; i < a.length; i += 3) {
      expect(a[i]! >= 0 && a[i + 1]! >= 0 && a[i + 2]! >= 0).toBe(true);
      expect(a[i]! + a[i + 1]! + a[i + 2]!).toBeCloseTo(1, 5);
    }
    // a point already on the simplex stays put
    const q = await projectSimplex(tf.tensor2d([[0.2, 0.3, 0.5]])).data();
    expect(Array.from(q).map((v) => +v.toFixed(5))).toEqual([0.2, 0.3, 0.5]);
    // the projection is no farther than random feasible points (it is the closest one)
    const v0 = [0.9, 0.8, -0.4];
    const pr = Array.from(await projectSimplex(tf.tensor2d([v0])).data());
    const d = (u: number[]) => u.reduce((s, ui, i) => s + (ui - v0[i]!) ** 2, 0);
    for (let k = 0; k < 200; k++) {
      const a1 = r.next(), a2 = r.next() * (1 - a1);
      expect(d(pr)).toBeLessThanOrEqual(d([a1, a2, 1 - a1 - a2]) + 1e-6);
    }
    expect(simplexSpace().kind).toBe('simplex');
  });

  it('simplex projection is differentiable: its gradient matches a central difference', async () => {
    // Away from the support's edges the projection is affine in v: v − (Σ_support v − 1)/|support|.
    const v = tf.tensor2d([[0.9, 0.8, -0.4], [0.2, 0.3, 0.5], [2, -1, 0.1], [0.4, 0.45, 0.3]]);
    const w = tf.tensor2d([[1, -2, 0.5], [0.3, 1, -1], [2, 0.5, -0.5], [-1, 1, 2]]);
    const f = (u: tf.Tensor) => tf.sum(tf.mul(projectSimplex(u), w));
    const g = (await tf.grad(f)(v).data()) as Float32Array;
    const base = (await v.data()) as Float32Array;
    const eps = 1e-3;
    for (let i = 0; i < base.length; i++) {
      const at = (d: number) => tf.tidy(() => f(tf.tensor2d(base.map((b, k) => (k === i ? b + d : b)), [4, 3])).dataSync()[0]!);
      expect(g[i]!).toBeCloseTo((at(eps) - at(-eps)) / (2 * eps), 2);
    }
    tf.dispose([v, w]);
  });

  it('feasible directions drop what the projection would undo', async () => {
    const box = boxSpace();
    const f = box.feasibleDirection!(tf.tensor1d([0, 0.5, 1, 0, 1]), tf.tensor1d([-1, -2, 3, 4, -5]));
    expect(Array.from(await f.data())).toEqual([0, -2, 0, 4, -5]);
    // box: any step along g or along its feasible part lands on the same point
    const r = new Rng(11);
    const y = tf.tensor2d(Array.from({ length: 40 }, () => [0, 1, r.next()][Math.floor(r.next() * 3)]!), [4, 10]);
    const g = tf.tensor2d(Array.from({ length: 40 }, () => r.next() - 0.5), [4, 10]);
    const fg = box.feasibleDirection!(y, g);
    for (const t of [0.1, 1, 5]) {
      expect(await tf.max(tf.abs(tf.sub(box.project(tf.add(y, tf.mul(g, t))), box.project(tf.add(y, tf.mul(fg, t)))))).array()).toBeLessThan(1e-6);
    }
    // simplex: the class mean goes, and a class at 0 cannot be pushed lower
    const simplex = simplexSpace();
    const s = simplex.feasibleDirection!(tf.tensor2d([[0, 0.5, 0.5], [0.2, 0.3, 0.5]]), tf.tensor2d([[-3, 1, 2], [1, 2, 6]]));
    const sv = Array.from(await s.data());
    [0, -0.5, 0.5, -2, -1, 3].forEach((e, i) => expect(sv[i]!).toBeCloseTo(e, 6));
  });

  it("ascentNorm 'feasible': from zeros, a step is not shortened by pixels the box stops", async () => {
    // v(y) = w·y: three outputs want to go below 0, one wants to rise
    const w = tf.tensor2d([[-10, -10, -10, 1]]);
    const energyOf = (y: tf.Tensor) => tf.sum(tf.mul(y, w), 1);
    const y0 = tf.zeros([1, 4]);
    const opts = { steps: 1, eta: 0.5, normalized: true, sigmoid: false };
    const full = gradientAscent(energyOf, y0, boxSpace().project, opts);
    const feas = gradientAscent(energyOf, y0, boxSpace().project, { ...opts, feasible: boxSpace().feasibleDirection });
    expect((await full.y.data())[3]).toBeCloseTo(0.5 / Math.sqrt(301), 5);
    expect(Array.from(await feas.y.data())).toEqual([0, 0, 0, 0.5]);
    // a task whose output space has no such hook is told so when the option is resolved
    const task = { ...syntheticTask(), outputSpace: { ...boxSpace(), feasibleDirection: undefined } };
    expect(() => resolveHyperParams(task, 'dvn', { ascentNorm: 'feasible' })).toThrow(/feasibleDirection.*'box' space does not define/);
    expect(resolveHyperParams(syntheticTask(), 'dvn', { ascentNorm: 'feasible' }).ascentNorm).toBe('feasible');
  });

  it('simplex decode is one-hot argmax; box decode thresholds at 0.5', async () => {
    expect(Array.from(await simplexSpace().decode(tf.tensor2d([[0.2, 0.5, 0.3]])).data())).toEqual([0, 1, 0]);
    expect(Array.from(await boxSpace().decode(tf.tensor1d([0.49, 0.5, 0.9])).data())).toEqual([0, 1, 1]);
  });
  it('predictWithCurve: one ascent gives the plain prediction and the step curve', async () => {
    const task = syntheticTask();
    const data = syntheticData({ train: 1, val: 1, test: 40 });
    const hp = resolveHyperParams(task, 'alen', { testSteps: 3, evalBatchSize: 16, eta: 0.5 });
    const model = createModel(task, 'alen', hp, { xShape: [12], yShape: [L] }, new Rng(5));
    expect(predictionSteps(model)).toBe(3);
    expect(predictionSteps(model, { steps: 7 })).toBe(7);
    expect(predictionSteps(model, { inferenceOnly: true })).toBe(0);
    const dvn = createModel(task, 'dvn', resolveHyperParams(task, 'dvn', { dvnSteps: 11 }), { xShape: [12], yShape: [L] }, new Rng(5));
    expect(predictionSteps(dvn)).toBe(11);
    const before = tf.memory().numTensors;
    const both = await predictWithCurve(model, data.test, [6, 0, 3, 1]);
    expect(tf.memory().numTensors).toBe(before);
    const plain = await predictDataset(model, data.test);
    expect(Array.from(both.pred)).toEqual(Array.from(plain.pred));
    expect(both.curve.map((p) => p.steps)).toEqual([0, 1, 3, 6]);
    expect(both.curve[2]!.metrics).toEqual(both.metrics);
    // the curve is that of a separate stepCurve run, and refinement moves the outputs (the test can fail)
    expect(both.curve).toEqual(await stepCurve(model, data.test, [0, 1, 3, 6]));
    const y0 = await predictDataset(model, data.test, { steps: 0 });
    expect(Array.from(y0.pred).some((v, i) => Math.abs(v - plain.pred[i]!) > 1e-4)).toBe(true);
    for (const net of [model.energy, model.inference, dvn.energy, dvn.inference]) net?.params.dispose();
  });
});
