import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import '../../src/node/workers.js';
import {
  darkPlateau,
  markovCurve,
  preset,
  simulateTransport,
  simulateTransportParallel,
  type TransportSimulationResult,
} from '../../src/transport/index.js';

/**
 * z-score of the simulated displacement MSD against the analytic model over steps [a, b):
 * sum_n N_n (MSD_n - model_n) / sqrt(sum_n N_n^2 se_n^2). Weights are photon counts, not
 * the noisy per-step errors, so the statistic is unbiased.
 */
function blockZ(sim: TransportSimulationResult, model: Float64Array, a: number, b: number): number {
  let d = 0;
  let v = 0;
  for (let n = a; n < b; n++) {
    const c = sim.curve[n];
    if (c.emissions < 2 || c.msdDisplacementSites2 === null) continue;
    d += (c.msdDisplacementSites2 - model[n]) * c.emissions;
    v += ((c.msdDisplacementStderr ?? 0) * c.emissions) ** 2;
  }
  return d / Math.sqrt(v);
}

function argmax(v: ArrayLike<number>): number {
  let k = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[k]) k = i;
  return k;
}

describe('lattice Monte Carlo (004)', () => {
  it('is reproducible: same seed same result, another seed another result', () => {
    const p = { ...preset('004-5nm-9K'), walkers: 20_000, steps: 100 };
    const a = simulateTransport({ ...p, seed: 3 });
    const b = simulateTransport({ ...p, seed: 3 });
    const c = simulateTransport({ ...p, seed: 4 });
    expect(b.curve).toEqual(a.curve);
    expect(Array.from(b.plCube.data)).toEqual(Array.from(a.plCube.data));
    expect(c.curve).not.toEqual(a.curve);
    expect(a.provenance.seed).toBe(3);
  });

  it('9 K (004 numbers): MSD peaks in the first ns, then negative diffusion to the derived plateau', () => {
    const p = { ...preset('004-5nm-9K'), walkers: 400_000, seed: 21 };
    const sim = simulateTransport(p);
    const model = markovCurve(p, p.steps);
    const plateau = darkPlateau(p).plateauSites2;
    // photons: bright emission early, dark emission late; everything agrees with the exact chain
    for (const [a, b] of [
      [1, 30],
      [30, 100],
      [100, 300],
    ])
      expect(Math.abs(blockZ(sim, model.msdSites2, a, b))).toBeLessThan(4);
    // peak of the simulated MSD (smoothed over 5 steps) within the first nanosecond
    const smooth = sim.curve.map((_, i) => {
      let s = 0;
      let c = 0;
      for (let j = Math.max(0, i - 2); j <= Math.min(p.steps - 1, i + 2); j++) {
        s += (sim.curve[j].msdDisplacementSites2 ?? 0) * sim.curve[j].emissions;
        c += sim.curve[j].emissions;
      }
      return s / c;
    });
    const k = argmax(smooth);
    expect(k * 0.025).toBeLessThan(1);
    // the late plateau: photon-weighted mean over 2.5-7.5 ns against the closed form
    let s = 0;
    let n = 0;
    let v = 0;
    for (let i = 100; i < 300; i++) {
      const c = sim.curve[i];
      s += (c.msdDisplacementSites2 ?? 0) * c.emissions;
      n += c.emissions;
      v += ((c.msdDisplacementStderr ?? 0) * c.emissions) ** 2;
    }
    const late = s / n;
    const se = Math.sqrt(v) / n;
    expect(Math.abs(late - plateau)).toBeLessThan(4 * se);
    expect(se).toBeLessThan(0.05 * plateau);
    expect(late / smooth[k]).toBeGreaterThan(0.12);
    expect(late / smooth[k]).toBeLessThan(0.25);
    // photons per step agree with the chain (Poisson)
    for (const i of [0, 10, 50, 200]) {
      const e = model.emission[i] * p.walkers;
      expect(Math.abs(sim.curve[i].emissions - e)).toBeLessThan(4 * Math.sqrt(e));
    }
    expect(sim.emitted + sim.survivors).toBe(p.walkers);
  });

  it('gamma_DB > 0: the late MSD rises again (slower than the first rise)', () => {
    const p = { ...preset('004-5nm-warm'), walkers: 200_000, seed: 5 };
    const sim = simulateTransport(p);
    const model = markovCurve(p, p.steps);
    for (const [a, b] of [
      [1, 50],
      [50, 150],
      [150, 300],
    ])
      expect(Math.abs(blockZ(sim, model.msdSites2, a, b))).toBeLessThan(4);
    const mean = (a: number, b: number): number => {
      let s = 0;
      let n = 0;
      for (let i = a; i < b; i++) {
        s += (sim.curve[i].msdDisplacementSites2 ?? 0) * sim.curve[i].emissions;
        n += sim.curve[i].emissions;
      }
      return s / n;
    };
    expect(mean(250, 300)).toBeGreaterThan(mean(40, 90) + 1);
  });

  it('trap model: t_max of the simulated MSD moves later as the trap rate falls', () => {
    const tmax = [0.025, 0.004].map((g) => {
      const sim = simulateTransport({
        ...preset('004-trap'),
        gammaTrap: g,
        walkers: 100_000,
        steps: 700,
        seed: 8,
      });
      // photon-weighted MSD in 0.5 ns blocks
      const blocks: number[] = [];
      for (let b = 0; b < 700; b += 20) {
        let s = 0;
        let n = 0;
        for (let i = b; i < b + 20; i++) {
          s += (sim.curve[i].msdDisplacementSites2 ?? 0) * sim.curve[i].emissions;
          n += sim.curve[i].emissions;
        }
        blocks.push(n > 0 ? s / n : 0);
      }
      return argmax(blocks);
    });
    expect(tmax[1]).toBeGreaterThan(tmax[0] + 1);
  });

  it('the emission-profile variance (as measured) agrees with the displacement MSD', () => {
    // small sigma0 so that the profile estimator is not swamped by the spot size
    const p = { ...preset('004-5nm-warm'), sigma0Sites: 1, walkers: 200_000, seed: 9 };
    const sim = simulateTransport(p);
    let d = 0;
    let v = 0;
    for (let i = 5; i < 300; i++) {
      const c = sim.curve[i];
      if (c.msdProfileSites2 === null || c.msdDisplacementSites2 === null) continue;
      d += (c.msdProfileSites2 - c.msdDisplacementSites2) * c.emissions;
      v += ((c.msdProfileStderr ?? 0) * c.emissions) ** 2;
    }
    expect(Math.abs(d / Math.sqrt(v))).toBeLessThan(4);
    expect(sim.initialVarianceSites2).toBeGreaterThan(0.8);
    expect(sim.initialVarianceSites2).toBeLessThan(1.2);
  });

  it('3-D lattice agrees with the analytic model', () => {
    const p = {
      ...preset('004-5nm-warm'),
      dimension: 3 as const,
      walkers: 100_000,
      steps: 150,
      seed: 2,
    };
    const sim = simulateTransport(p);
    const model = markovCurve(p, p.steps);
    expect(Math.abs(blockZ(sim, model.msdSites2, 1, 150))).toBeLessThan(4);
  });

  it('vacancies and energetic disorder slow transport down', () => {
    const p = { ...preset('004-5nm-warm'), walkers: 40_000, steps: 200, seed: 4 };
    const msdAt = (r: TransportSimulationResult): number => {
      let s = 0;
      let n = 0;
      for (const c of r.curve.slice(100)) {
        s += (c.msdDisplacementSites2 ?? 0) * c.emissions;
        n += c.emissions;
      }
      return s / n;
    };
    const free = msdAt(simulateTransport(p));
    const holes = msdAt(simulateTransport({ ...p, vacancyFraction: 0.5, latticeSize: 80 }));
    const rough = msdAt(
      simulateTransport({ ...p, disorder: { sigmaMeV: 30, temperatureK: 20 }, latticeSize: 80 }),
    );
    expect(holes).toBeLessThan(0.8 * free);
    expect(rough).toBeLessThan(0.8 * free);
  });

  it('PL(x, t) cube has calibrated axes and counts every photon inside its window', () => {
    const sim = simulateTransport({ ...preset('004-5nm-9K'), walkers: 20_000, steps: 50, seed: 1 });
    expect(sim.plCube.axes.map((a) => [a.name, a.unit])).toEqual([
      ['time', 'ns'],
      ['x', 'nm'],
    ]);
    expect(sim.plCube.axes[1].scale).toBe(7);
    let total = 0;
    for (const v of sim.plCube.data) total += v;
    expect(total + sim.outsideProfileWindow.reduce((a, b) => a + b, 0)).toBe(sim.emitted);
  });

  it('no photon in a step gives null, never NaN', () => {
    const sim = simulateTransport({ ...preset('004-5nm-9K'), walkers: 50, steps: 200, seed: 1 });
    const empty = sim.curve.filter((c) => c.emissions === 0);
    expect(empty.length).toBeGreaterThan(0);
    for (const c of empty) {
      expect(c.msdDisplacementSites2).toBeNull();
      expect(c.msdProfileSites2).toBeNull();
    }
    expect(JSON.stringify(sim.curve)).not.toMatch(/NaN/);
  });

  it('rejects impossible settings with a clear error', () => {
    expect(() => simulateTransport({ ...preset('004-5nm-9K'), gammaFret: 0.25 })).toThrow(
      /shorter time step/,
    );
    expect(() => simulateTransport({ ...preset('004-5nm-9K'), sigma0Sites: -1 })).toThrow(
      InvalidInputError,
    );
  });

  it('worker threads give the identical result', async () => {
    const p = { ...preset('004-trap'), walkers: 40_000, steps: 200, seed: 12 };
    const a = simulateTransport(p);
    // workers only (static split), and this thread sharing the work with a worker
    const b = await simulateTransportParallel(p, { workers: 2, shareThisThread: false });
    expect(b.curve).toEqual(a.curve);
    expect(b.emitted).toBe(a.emitted);
    expect(Array.from(b.plCube.data)).toEqual(Array.from(a.plCube.data));
    const c = await simulateTransportParallel(p, { workers: 2 });
    expect(c.curve).toEqual(a.curve);
  });
});
