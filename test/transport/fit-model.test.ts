import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import {
  MARKOV_PARAMS,
  type MarkovParamName,
  fitTransportModel,
  markovMsdModel,
  markovPlModel,
  preset,
  simulateTransport,
} from '../../src/transport/index.js';

function simData(name: string, seed: number) {
  const p = { ...preset(name), walkers: 200_000, seed };
  const sim = simulateTransport(p);
  return {
    p,
    data: {
      msd: sim.curve
        .filter((c) => c.emissions >= 30)
        .map((c) => ({
          tNs: c.tNs,
          msdUm2: (c.msdDisplacementSites2 as number) * 49e-6,
          stderr: (c.msdDisplacementStderr as number) * 49e-6,
        })),
      pl: sim.curve.map((c) => ({ tNs: c.tNs, counts: c.emissions })),
    },
  };
}

describe('fitting the analytic model to MSD(t) and PL', () => {
  it('model Jacobians match finite differences', () => {
    const p = preset('004-trap');
    const theta = Float64Array.from([...MARKOV_PARAMS.map((k) => p[k] as number), 1000]);
    const x = Float64Array.from([0, 0.1, 0.4123, 1.7, 4.99]);
    for (const m of [markovMsdModel({ dtPs: 25, siteSpacingNm: 7 }), markovPlModel({ dtPs: 25 })]) {
      const np = m.params.length;
      const J = new Float64Array(x.length * np);
      const th = theta.subarray(0, np);
      m.jacobian?.(th, x, J);
      const up = new Float64Array(x.length);
      const dn = new Float64Array(x.length);
      for (let k = 0; k < np; k++) {
        const h = 1e-7 * Math.max(1, Math.abs(th[k]));
        const a = Float64Array.from(th);
        a[k] += h;
        const b = Float64Array.from(th);
        b[k] -= h;
        m.evaluate(a, x, up);
        m.evaluate(b, x, dn);
        for (let i = 0; i < x.length; i++) {
          const fd = (up[i] - dn[i]) / (2 * h);
          expect(Math.abs(J[i * np + k] - fd)).toBeLessThan(
            1e-5 * Math.max(1e-6, Math.abs(fd)) + 1e-12,
          );
        }
      }
    }
  });

  const cases: Array<[string, MarkovParamName[], Partial<Record<MarkovParamName, number>>]> = [
    [
      '004-5nm-warm',
      ['gammaFret', 'gammaBD', 'gammaDB'],
      { gammaFret: 0.06, gammaBD: 0.1, gammaDB: 0.05 },
    ],
    [
      '004-trap',
      ['gammaFret', 'gammaDB', 'gammaTrap'],
      { gammaFret: 0.1, gammaDB: 0.05, gammaTrap: 0.02 },
    ],
  ];
  for (const [name, vary, start] of cases) {
    it(`round trip (${name}): simulate with known rates, fit MSD + PL, recover within 3 sigma`, () => {
      const { p, data } = simData(name, 31);
      const r = fitTransportModel(data, {
        dtPs: 25,
        siteSpacingNm: 7,
        initial: {
          gammaB: p.gammaB,
          gammaD: p.gammaD,
          gammaBD: p.gammaBD,
          gammaTrap: p.gammaTrap,
          brightFraction: p.brightFraction,
          ...start,
        },
        vary,
        reweightIterations: 2,
      });
      expect(r.converged).toBe(true);
      expect(r.reducedChi2).toBeLessThan(1.5);
      for (const k of vary) {
        const q = r.params[k];
        expect(q.stderr).not.toBeNull();
        expect(Math.abs(q.value - (p[k] as number))).toBeLessThan(3 * (q.stderr as number));
        expect((q.stderr as number) / (p[k] as number)).toBeLessThan(0.05);
      }
      expect(r.params.gammaB.fixed).toBe(true);
    });
  }

  it('9 K: gamma_FRET and gamma_BD from the MSD alone (004 fitted exactly these two)', () => {
    const { p, data } = simData('004-5nm-9K', 7);
    const r = fitTransportModel(
      { msd: data.msd },
      {
        dtPs: 25,
        siteSpacingNm: 7,
        initial: { gammaDB: 0, gammaTrap: 0, gammaFret: 0.05, gammaBD: 0.1 },
        vary: ['gammaFret', 'gammaBD'],
        reweightIterations: 1,
      },
    );
    for (const k of ['gammaFret', 'gammaBD'] as const)
      expect(Math.abs(r.params[k].value - p[k])).toBeLessThan(3 * (r.params[k].stderr as number));
  });

  it('bad input', () => {
    expect(() =>
      fitTransportModel(
        { msd: [{ tNs: 0.1, msdUm2: 1, stderr: 0.1 }] },
        { dtPs: 25, siteSpacingNm: 7 },
      ),
    ).toThrow(/only 1 weighted MSD points/);
    expect(() =>
      fitTransportModel(
        { msd: [{ tNs: 0.1, msdSites2: 1, stderr: 0.1 }] },
        { dtPs: 25, siteSpacingNm: 7 },
      ),
    ).toThrow(/no msdUm2/);
    expect(() => fitTransportModel({ msd: [] }, { dtPs: 0 })).toThrow(InvalidInputError);
    expect(() =>
      fitTransportModel({ msd: [{ tNs: -1, msdSites2: 1, stderr: 1 }] }, { dtPs: 25 }),
    ).toThrow(/>= 0/);
    expect(() =>
      fitTransportModel({ msd: [] }, { dtPs: 25, vary: ['gammaX' as MarkovParamName] }),
    ).toThrow(/unknown parameter/);
  });
});
