import { describe, expect, it } from 'vitest';
import { parseSeeds } from '../src/commands/common.js';
import { alen, TOY } from './helpers.js';

describe('--seeds', () => {
  it('takes seeds space- or comma-separated, once each', () => {
    expect(parseSeeds(['0', '1', '2'])).toEqual([0, 1, 2]);
    expect(parseSeeds(['0,1,2'])).toEqual([0, 1, 2]);
    expect(parseSeeds([3, '4,3'])).toEqual([3, 4]);
  });

  it('refuses what is not a non-negative integer, naming it', () => {
    expect(() => parseSeeds(['0,x'])).toThrow(/non-negative integers, got 'x'/);
    expect(() => parseSeeds(['1.5'])).toThrow(/got '1.5'/);
    expect(() => parseSeeds([','])).toThrow(/at least one seed/);
  });

  it('a bad seed stops sweep before any run, with a usage error', () => {
    const r = alen(['sweep', '--task', 'toy', '--plugin', TOY, '--grid', 'eta=1', '--seeds', '0,-1', '--quiet']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/seeds must be non-negative integers, got '-1'/);
  });
});
