import { describe, expect, it } from 'vitest';
import { CORE_DEFAULTS, HYPERPARAM_DOCS, explainHyperParams, knownHyperParams, resolveHyperParams, type Task } from '../src/index.js';
import { syntheticTask } from './fixtures/synthetic-task.js';

/** The synthetic task with defaults in every layer a task can set. */
function layeredTask(): Task {
  return {
    ...syntheticTask(),
    defaults: {
      common: { epochs: 7, lr: 0.01, arch: { hidden: 20 } },
      alen: { lr: 0.02, eta: 0.7 },
      'alen-dvn': { eta: 0.3, dvnSteps: 9 },
      dvn: { dvnEta: 3 },
    },
  };
}

describe('HYPERPARAM_DOCS', () => {
  it('describes exactly the hyper-parameters a user may set', () => {
    expect(Object.keys(HYPERPARAM_DOCS).sort()).toEqual([...knownHyperParams()].sort());
    for (const line of Object.values(HYPERPARAM_DOCS)) expect(line.length).toBeGreaterThan(10);
  });
});

describe('explainHyperParams', () => {
  it('names the last layer that set each value, in the documented precedence', () => {
    const { hp, sources } = explainHyperParams(layeredTask(), 'alen-dvn', { dvnSteps: 4, arch: { hidden: 30 } });
    expect([hp.evalBatchSize, sources.evalBatchSize]).toEqual([CORE_DEFAULTS.evalBatchSize, 'core']);
    expect([hp.epochs, sources.epochs]).toEqual([7, 'task']);
    expect([hp.lr, sources.lr]).toEqual([0.02, 'task method family']);
    expect([hp.energyObjective, sources.energyObjective]).toEqual(['dvn', 'method']);
    expect([hp.eta, sources.eta]).toEqual([0.3, 'task method']);
    expect([hp.dvnSteps, sources.dvnSteps]).toEqual([4, 'user']);
    expect([hp.arch.hidden, sources['arch.hidden']]).toEqual([30, 'user']);
    // Another family's defaults do not apply; an unset optional one has no source.
    expect(hp.dvnEta).toBe(CORE_DEFAULTS.dvnEta);
    expect(sources.lrG).toBeUndefined();
  });

  it('resolves what resolveHyperParams resolves, and validates the same way', () => {
    for (const method of ['alen', 'aen', 'alen-no-task', 'alen-dvn', 'infnet', 'dvn'] as const) {
      expect(explainHyperParams(layeredTask(), method, { batchSize: 5 }).hp).toEqual(resolveHyperParams(layeredTask(), method, { batchSize: 5 }));
    }
    expect(() => explainHyperParams(layeredTask(), 'alen', { epochs: 0 })).toThrow(/epochs must be a positive integer/);
  });
});
