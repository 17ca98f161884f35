import { describe, expect, it } from 'vitest';
import { chromaticityFigure } from '../../src/spectra/figures.js';

describe('chromaticityFigure', () => {
  const red = { x: 0.7, y: 0.29, label: 'red' };
  const green = { x: 0.17, y: 0.797, label: 'green' };
  const blue = { x: 0.13, y: 0.05, label: 'blue' };
  const pl = { x: 0.06, y: 0.45, label: 'PL', inGamut: false };
  it('spans the gamut with the primaries only; other points are drawn but not part of it', () => {
    const fig = chromaticityFigure([red, green, blue, pl]);
    const gamut = fig.series.find((s) => s.label === 'Emitter gamut');
    expect(gamut?.type).toBe('line');
    if (gamut?.type !== 'line') return;
    expect(gamut.x).toHaveLength(4); // triangle, closed
    expect(gamut.x).not.toContain(pl.x);
    expect(fig.series.some((s) => s.label === 'PL')).toBe(true);
  });
  it('includes every point by default', () => {
    const fig = chromaticityFigure([red, green, blue, { ...pl, inGamut: undefined }]);
    const gamut = fig.series.find((s) => s.label === 'Emitter gamut');
    if (gamut?.type !== 'line') throw new Error('no gamut line');
    expect(gamut.x).toHaveLength(5);
  });
});
