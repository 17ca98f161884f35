import { describe, expect, it } from 'vitest';
import { InvalidInputError, UnknownNameError } from '../../src/core/errors.js';
import {
  PRESETS,
  gammaDBFromSplitting,
  gammaHop,
  hopGeometry,
  hopTargets,
  normalizeModelParams,
  normalizeSimulationParams,
  preset,
} from '../../src/transport/index.js';

describe('lattice geometry and rates (004 Experimental Section)', () => {
  it('2-D hop kernel: 4 nearest + 4 next-nearest, gamma_hop = 4 (1/r1^6 + 1/r2^6) gamma_FRET', () => {
    expect(hopTargets(2, true)).toHaveLength(8);
    const g = hopGeometry(2, true);
    expect(g.weightSum).toBeCloseTo(4 * (1 + 1 / 8), 12);
    // mean |hop|^2 = (4 * 1 + 4 * (1/8) * 2) / 4.5 = 10/9
    expect(g.meanSquaredHopSites2).toBeCloseTo(10 / 9, 12);
    // 004's 9 K values: gamma_FRET = 0.09 -> gamma_hop = 0.405 per 25 ps step
    expect(gammaHop(preset('004-5nm-9K'))).toBeCloseTo(0.405, 12);
  });

  it('3-D kernel: 6 nearest + 12 next-nearest; without next-nearest the hop is one site', () => {
    expect(hopTargets(3, true)).toHaveLength(18);
    expect(hopGeometry(3, true).weightSum).toBeCloseTo(6 + 12 / 8, 12);
    expect(hopGeometry(3, true).meanSquaredHopSites2).toBeCloseTo((6 + (12 * 2) / 8) / 7.5, 12);
    expect(hopGeometry(2, false)).toEqual({ weightSum: 4, meanSquaredHopSites2: 1 });
  });

  it('detailed balance with a threefold bright triplet: gamma_DB = 3 gamma_BD exp(-Delta/kT)', () => {
    // 004: 15 meV equals kT at 174 K
    expect(gammaDBFromSplitting(0.15, 15, 174.06)).toBeCloseTo(3 * 0.15 * Math.exp(-1), 3);
    expect(gammaDBFromSplitting(0.15, 15, 9)).toBeLessThan(1e-8);
    expect(() => gammaDBFromSplitting(0.15, 15, 0)).toThrow(InvalidInputError);
  });

  it('presets carry 004 numbers and are copies', () => {
    const p = preset('004-5nm-9K');
    expect([p.gammaB, p.gammaD, p.gammaBD, p.gammaDB, p.gammaFret, p.sigma0Sites, p.dtPs]).toEqual([
      0.03, 0.0003, 0.15, 0, 0.09, 10, 25,
    ]);
    p.gammaB = 0.5;
    expect(PRESETS['004-5nm-9K'].params.gammaB).toBe(0.03);
    expect(() => preset('nope')).toThrow(UnknownNameError);
  });

  it('rejects probabilities out of range and per-state sums above 1', () => {
    const base = {
      gammaB: 0.03,
      gammaD: 3e-4,
      gammaBD: 0.15,
      gammaFret: 0.09,
      brightFraction: 0.5,
    };
    expect(() => normalizeModelParams({ ...base, gammaB: -0.1 })).toThrow(/gammaB/);
    expect(() => normalizeModelParams({ ...base, gammaFret: 0.3 })).toThrow(/sum to 1\.53/);
    expect(() => normalizeModelParams({ ...base, gammaD: 0.6, gammaDB: 0.6 })).toThrow(
      /dark-state/,
    );
    expect(() =>
      normalizeModelParams({ ...base, brightFraction: 0.8, trappedFraction: 0.3 }),
    ).toThrow(/brightFraction \+ trappedFraction/);
    expect(() => normalizeSimulationParams({ ...base, walkers: 0 })).toThrow(/walkers/);
    expect(() => normalizeSimulationParams({ ...base, steps: 2.5 })).toThrow(/steps/);
    expect(() => normalizeSimulationParams({ ...base, seed: -1 })).toThrow(/seed/);
    expect(() => normalizeSimulationParams({ ...base, vacancyFraction: 1 })).toThrow(
      /vacancyFraction/,
    );
    expect(normalizeSimulationParams(base).latticeSize).toBe(150);
  });
});
