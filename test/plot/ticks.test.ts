import { describe, expect, it } from 'vitest';
import {
  formatLinearTicks,
  linearTickValues,
  linearTicks,
  logTicks,
} from '../../src/plot/ticks.js';

describe('linear ticks', () => {
  it('are nice multiples of 1, 2 or 5 inside the interval', () => {
    expect(linearTickValues(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(linearTickValues(-3.7, 12.2, 5)).toEqual([0, 5, 10]);
    expect(linearTickValues(0.1, 0.35, 5)).toEqual([0.1, 0.15, 0.2, 0.25, 0.3, 0.35]);
    expect(linearTickValues(5, 5)).toEqual([5]);
    expect(linearTickValues(NaN, 1)).toEqual([]);
  });

  it('format with decimals from the step and a typographic minus', () => {
    expect(linearTicks(-1, 1, 4).labels).toEqual(['−1.0', '−0.5', '0.0', '0.5', '1.0']);
    expect(formatLinearTicks([0, 250, 500])).toEqual(['0', '250', '500']);
  });

  it('use a×10ⁿ for very large and very small values', () => {
    expect(formatLinearTicks([0, 2e5, 4e5])).toEqual(['0', '2×10⁵', '4×10⁵']);
    expect(formatLinearTicks([1e-4, 2e-4])).toEqual(['1×10⁻⁴', '2×10⁻⁴']);
  });

  it('add minor ticks between the major ones', () => {
    const t = linearTicks(0, 10, 2);
    expect(t.major).toEqual([0, 5, 10]);
    expect(t.minor).toContain(1);
    expect(t.minor).not.toContain(5);
  });
});

describe('log ticks', () => {
  it('label powers of ten as 10ⁿ over several decades', () => {
    const t = logTicks(1, 1e4);
    expect(t.major).toEqual([1, 10, 100, 1000, 10000]);
    expect(t.labels).toEqual(['10⁰', '10¹', '10²', '10³', '10⁴']);
    expect(t.minor).toContain(20);
  });

  it('label plainly over a few decades and add 2 and 5 under one decade', () => {
    expect(logTicks(0.5, 20).labels).toEqual(['0.5', '1', '2', '5', '10', '20']);
    expect(logTicks(2, 900).labels).toEqual(['10', '100']);
    const t = logTicks(2, 8);
    expect(t.major).toEqual([2, 5]);
    expect(t.labels).toEqual(['2', '5']);
  });

  it('fall back to linear ticks for a very narrow range and skip decades over huge ranges', () => {
    expect(logTicks(21, 29).major.length).toBeGreaterThanOrEqual(2);
    expect(logTicks(1e-12, 1e12).major.length).toBeLessThanOrEqual(7);
    expect(logTicks(0, 10).major).toEqual([]);
  });
});
