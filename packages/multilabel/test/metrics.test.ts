import { beforeAll, describe, expect, it } from 'vitest';
import { AlenError, tf, useBackend } from '@alen/core';
import type { Dataset } from '@alen/core';
import { bestThreshold, bibtexTask, evaluate, evaluateAtValThreshold, exampleF1, f1AtThreshold, softF1 } from '../src/index.js';

const ds = (y: number[][]): Dataset => ({
  name: 'toy/test',
  size: y.length,
  x: new Float32Array(y.length),
  xShape: [1],
  y: Float32Array.from(y.flat()),
  yShape: [y[0]!.length],
});

beforeAll(async () => {
  await useBackend('wasm');
});

describe('example-averaged F1', () => {
  it('hand-made cases, with the empty/empty = 0 rule', () => {
    const truth = [
      [1, 0, 1, 0], // pred 1 0 0 0: tp 1, |p| 1, |t| 2 → 2/3
      [0, 1, 0, 0], // pred 0 1 0 0: perfect → 1
      [0, 0, 0, 0], // pred 0 0 0 0: empty/empty → 0
      [1, 1, 0, 0], // pred 0 0 0 0: nothing predicted → 0
      [0, 0, 0, 0], // pred 1 0 0 0: no true labels → 0
    ];
    const pred = Float32Array.from([0.9, 0.2, 0.49, 0, 0.1, 0.5, 0, 0, 0, 0, 0, 0, 0.3, 0.3, 0, 0, 0.7, 0, 0, 0]);
    const d = ds(truth);
    const expected = (100 * (2 / 3 + 1)) / 5;
    expect(exampleF1(pred, d.y, 4)).toBeCloseTo(expected, 10);
    expect(evaluate(pred, d)).toEqual({ f1: expect.closeTo(expected, 10) });
    expect(f1AtThreshold(pred.subarray(8, 12), ds([[0, 0, 0, 0]]))).toBe(0); // empty/empty alone
    // at threshold 0.25 rows 0 (0.49 now on) and 3 (0.3, 0.3) become perfect too: 3 of 5
    expect(f1AtThreshold(pred, d, 0.25)).toBeCloseTo(60, 10);
  });

  it('bestThreshold picks the threshold with the highest F1', () => {
    const d = ds([[1, 0], [0, 1], [1, 1]]);
    const pred = Float32Array.from([0.3, 0.1, 0.1, 0.35, 0.32, 0.31]);
    const best = bestThreshold(pred, d, [0.5, 0.3, 0.2]);
    expect(best).toEqual({ threshold: 0.3, f1: 100 });
    expect(bestThreshold(pred, d).threshold).toBeCloseTo(0.15, 10);
  });

  it('the validation-chosen threshold is applied to the tested split, not chosen on it', () => {
    // validation is perfect at 0.25 and 0.30 (the first is taken): 0.35 loses its labels, 0.2 adds row 0's 0.2
    const val = ds([[1, 0], [0, 1]]);
    const valPred = Float32Array.from([0.32, 0.2, 0.1, 0.31]);
    // on test that threshold costs a label that 0.5 would have left out: F1 there differs from its own best
    const test = ds([[1, 0], [0, 1]]);
    const testPred = Float32Array.from([0.9, 0.33, 0.1, 0.8]);
    const m = evaluateAtValThreshold(testPred, test, { pred: valPred, data: val });
    expect(m.valThreshold).toBe(bestThreshold(valPred, val).threshold);
    expect(m.valThreshold).toBeGreaterThan(0.2);
    expect(m.valThreshold).toBeLessThanOrEqual(0.3);
    expect(m.f1ValThreshold).toBeCloseTo((100 * (2 / 3 + 1)) / 2, 10);
    expect(f1AtThreshold(testPred, test, 0.5)).toBe(100);
    expect(bibtexTask.evaluateTuned).toBe(evaluateAtValThreshold);
  });

  it('rejects predictions of the wrong size', () => {
    expect(() => evaluate(new Float32Array(3), ds([[1, 0]]))).toThrow(AlenError);
    expect(() => evaluate(new Float32Array(3), ds([[1, 0]]))).toThrow(/toy\/test: 3 predicted values, expected 1 examples × 2 labels/);
  });
});

describe('soft F1 oracle', () => {
  it('equals hard F1 on 0/1 inputs (and 0 for empty/empty)', async () => {
    const n = 50;
    const L = 7;
    const a = Float32Array.from({ length: n * L }, (_, i) => ((i * 7919) % 5 === 0 ? 1 : 0));
    const b = Float32Array.from({ length: n * L }, (_, i) => ((i * 104729) % 3 === 0 ? 1 : 0));
    b.fill(0, 0, L); // row 0: truth empty
    a.fill(0, 0, L); // and prediction empty
    const before = tf.memory().numTensors;
    const h = softF1(tf.tensor2d(a, [n, L]), tf.tensor2d(b, [n, L]));
    const vals = (await h.data()) as Float32Array;
    expect(h.shape).toEqual([n]);
    expect(vals[0]).toBe(0);
    const meanSoft = (100 * vals.reduce((s, v) => s + v, 0)) / n;
    expect(meanSoft).toBeCloseTo(exampleF1(a, b, L), 4);
    tf.dispose(h);
    // the two inputs above were not disposed: 2 tensors, nothing else left behind
    expect(tf.memory().numTensors).toBe(before + 2);
  });

  it('matches the reference formula on soft inputs and is the task oracle', async () => {
    const y = tf.tensor2d([[0.2, 0.9, 0.5]]);
    const t = tf.tensor2d([[0, 1, 1]]);
    const h = await bibtexTask.oracle(y, t).data();
    const mn = 0 + 0.9 + 0.5;
    const mx = 0.2 + 1 + 1;
    expect(h[0]).toBeCloseTo((2 * mn) / (mn + mx), 6);
    tf.dispose([y, t]);
  });
});
