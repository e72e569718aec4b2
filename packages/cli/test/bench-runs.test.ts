import { describe, expect, it } from 'vitest';
import { CORE_DEFAULTS, type HyperParams } from '@alen/core';
import { hyperParamDiff } from '../src/bench-runs.js';

const base: HyperParams = { ...CORE_DEFAULTS, testStepsCandidates: [0, 5, 10], arch: { hidden: 150 } };

describe('hyperParamDiff (which finished bench runs still match the profile)', () => {
  it('finds changed values and arch options', () => {
    expect(hyperParamDiff(base, { ...base, lr: 0.5 })).toEqual(['lr']);
    expect(hyperParamDiff(base, { ...base, arch: { hidden: 20 } })).toEqual(['arch.hidden']);
    expect(hyperParamDiff(base, { ...base, lrSchedule: [[10, 1]] })).toEqual(['lrSchedule']);
  });

  it('ignores the test-step count chosen on validation, and keys added later at their defaults', () => {
    expect(hyperParamDiff({ ...base, testSteps: 10 }, base)).toEqual([]);
    const { gAdversarialLoss: _, ...older } = base;
    expect(hyperParamDiff(older, base)).toEqual([]);
    expect(hyperParamDiff(older, { ...base, gAdversarialLoss: 'log' })).toEqual(['gAdversarialLoss']);
    // without candidates the test-step count is a setting like any other
    const fixed = { ...base, testStepsCandidates: undefined };
    expect(hyperParamDiff({ ...fixed, testSteps: 10 }, fixed)).toEqual(['testSteps']);
  });
});
