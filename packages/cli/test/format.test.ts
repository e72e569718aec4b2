import { describe, expect, it } from 'vitest';
import { formatRate, meanStd } from '../src/format.js';

describe('table formatting', () => {
  it('rates keep two significant digits below 10, so a slow method does not read 0', () => {
    expect(formatRate(0.10175)).toBe('0.10');
    expect(formatRate(7.24)).toBe('7.2');
    expect(formatRate(117.3)).toBe('117');
    for (const x of [undefined, NaN, 0, -1, Infinity]) expect(formatRate(x)).toBe('–');
  });

  it('mean ± sample std over seeds', () => {
    expect(meanStd([51.73, 51.78, 46.35])).toBe('49.95 ± 3.12');
  });
});
