import { describe, expect, it } from 'vitest';
import { failure } from '../src/pool.js';

describe('failure', () => {
  it('names the exit code and the last stderr lines of a trainer that failed', () => {
    expect(failure(1, null, 'a\nb\nc\nalen: NaN in lossV at epoch 3\n')).toBe('exit 1: b | c | alen: NaN in lossV at epoch 3');
    expect(failure(2, null, '')).toBe('exit 2');
  });

  it('says a killed trainer resumes from its checkpoint (was "exit null")', () => {
    expect(failure(null, 'SIGTERM', '')).toBe('killed by SIGTERM; its last checkpoint stays and the same command resumes it');
    expect(failure(null, 'SIGKILL', 'out of memory')).toMatch(/^killed by SIGKILL; .* \(out of memory\)$/);
  });
});
