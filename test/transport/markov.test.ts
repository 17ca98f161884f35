import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import { MARKOV_PARAMS, darkPlateau, markovCurve, preset } from '../../src/transport/index.js';

function argmax(v: ArrayLike<number>): number {
  let k = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[k]) k = i;
  return k;
}

describe('analytic two-population model (exact Markov chain)', () => {
  const p9 = preset('004-5nm-9K');

  it('9 K: the MSD peaks within the first nanosecond, then falls to the derived dark plateau', () => {
    const c = markovCurve(p9, 400);
    const k = argmax(c.msdSites2);
    expect(k * 0.025).toBeLessThan(1);
    expect(k).toBeGreaterThan(5);
    const plateau = darkPlateau(p9);
    // closed form, by hand: r - q = gB + gBD - gD = 0.1797; D_inf = 0.5 + 0.075 / 0.1797;
    // m_inf = 0.15 * 0.5 * 0.405 * (10/9) / 0.1797^2; plateau = m_inf / (2 D_inf)
    const rq = 0.03 + 0.15 - 0.0003;
    const byHand = (0.15 * 0.5 * 0.405 * (10 / 9)) / (rq * rq) / (2 * (0.5 + 0.075 / rq));
    expect(plateau.plateauSites2).toBeCloseTo(byHand, 12);
    expect(plateau.plateauSites2).toBeCloseTo(0.5696, 3);
    expect(plateau.brightToDarkYield).toBeCloseTo(5 / 6, 12);
    expect(plateau.meanHopsWhileBright).toBeCloseTo(2.25, 12);
    // the recursion reaches the closed form at late times
    expect(c.msdSites2[399]).toBeCloseTo(plateau.plateauSites2, 6);
    // "about a fifth of the peak" (the exact ratio is 0.177)
    const ratio = plateau.plateauSites2 / c.msdSites2[k];
    expect(ratio).toBeGreaterThan(0.15);
    expect(ratio).toBeLessThan(0.22);
  });

  it('populations and photons add up: every exciton is either alive or has emitted', () => {
    for (const name of ['004-5nm-9K', '004-5nm-warm', '004-trap']) {
      const p = preset(name);
      const c = markovCurve(p, 200);
      let emitted = 0;
      for (let n = 0; n < 200; n++) {
        expect(c.bright[n] + c.dark[n] + c.trapped[n] + emitted).toBeCloseTo(1, 12);
        emitted += c.emission[n];
        expect(c.emission[n]).toBeCloseTo(
          c.emissionBright[n] + c.emissionDark[n] + c.emissionTrapped[n],
          15,
        );
      }
    }
  });

  it('gamma_DB > 0 turns the fall into a slow second rise', () => {
    const c = markovCurve(preset('004-5nm-warm'), 300);
    const early = (c.msdSites2[20] - c.msdSites2[0]) / 20;
    const late = (c.msdSites2[299] - c.msdSites2[100]) / 199;
    expect(late).toBeGreaterThan(0);
    expect(late).toBeLessThan(early / 3);
  });

  it('trap model: t_max moves later as the trap rate falls (004 Fig. 3d)', () => {
    const t = [0.025, 0.01, 0.005, 0.0025].map((g) =>
      argmax(markovCurve({ ...preset('004-trap'), gammaTrap: g }, 1500).msdSites2),
    );
    for (let i = 1; i < t.length; i++) expect(t[i]).toBeGreaterThan(t[i - 1]);
  });

  it('analytic derivatives match finite differences', () => {
    const p = { ...preset('004-trap'), gammaDB: 0.05 };
    const c = markovCurve(p, 120, { derivatives: true });
    const K = MARKOV_PARAMS.length;
    for (let k = 0; k < K; k++) {
      const name = MARKOV_PARAMS[k];
      const h = 1e-6;
      const up = markovCurve({ ...p, [name]: p[name] + h }, 120);
      const dn = markovCurve({ ...p, [name]: p[name] - h }, 120);
      for (const n of [1, 10, 60, 119]) {
        const fdE = (up.emission[n] - dn.emission[n]) / (2 * h);
        const fdM = (up.msdSites2[n] - dn.msdSites2[n]) / (2 * h);
        expect((c.dEmission as Float64Array)[n * K + k]).toBeCloseTo(fdE, 5);
        expect(Math.abs((c.dMsd as Float64Array)[n * K + k] - fdM)).toBeLessThan(
          1e-5 * Math.max(1, Math.abs(fdM)),
        );
      }
    }
  });

  it('the closed form refuses cases without a dark plateau', () => {
    expect(() => darkPlateau(preset('004-5nm-warm'))).toThrow(InvalidInputError);
    expect(() => markovCurve(p9, 0)).toThrow(InvalidInputError);
  });
});
