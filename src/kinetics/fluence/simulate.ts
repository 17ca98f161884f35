/**
 * Simulated TRPL fluence series from the rate equations, with photon-counting (Poisson) noise
 * from the project's seeded generator: the truth is known, so fits can be checked against it.
 *
 * @module
 */
import { InvalidInputError } from '../../core/errors.js';
import { createRng } from '../../random/rng.js';
import { poissonNoise } from '../../random/poisson.js';
import type { FluenceTrace } from './fit.js';
import { type RateModelName, solveRateModel } from './models.js';

export interface FluenceSimulationOptions {
  model: RateModelName;
  /** Rate constants of the model (all of them, e.g. { kT, kB, kA } for bt). */
  params: Readonly<Record<string, number>>;
  /** Initial densities, one trace each. */
  n0: readonly number[];
  timesNs: ArrayLike<number>;
  /** Expected counts at t = 0 of every trace (Poisson noise; default 1e4). */
  peakCounts?: number;
  /** Expected background counts per bin (default 0). */
  backgroundCounts?: number;
  seed?: number;
}

export interface SimulatedFluenceSeries {
  /** Traces normalised by the peak counts (signal ~ 1 at t = 0), with sigma from the expected counts. */
  traces: FluenceTrace[];
  /** The raw counts of every trace. */
  counts: number[][];
  /** The noiseless normalised signal of every trace. */
  clean: number[][];
}

/**
 * Simulate a TRPL fluence series: each trace is Poisson(peakCounts * I(t)/I(0) + background),
 * returned normalised by peakCounts with sigma = sqrt(expected counts) / peakCounts (the known
 * noise of the simulation; weights from the observed counts would bias a least-squares fit
 * where the counts are low).
 *
 * @example
 * const s = simulateFluenceSeries({ model: 'bt', params: { kT: 0.005, kB: 3e-19, kA: 0 }, n0: [1e15, 1e16, 1e17], timesNs, seed: 4 });
 * fitFluenceSeries(s.traces, { model: 'bt' });
 */
export function simulateFluenceSeries(options: FluenceSimulationOptions): SimulatedFluenceSeries {
  const peak = options.peakCounts ?? 1e4;
  const bg = options.backgroundCounts ?? 0;
  if (!(peak > 0)) throw new InvalidInputError(`peakCounts must be positive, got ${peak}`);
  if (!(bg >= 0)) throw new InvalidInputError(`backgroundCounts must be >= 0, got ${bg}`);
  if (!Array.isArray(options.n0) || options.n0.length === 0)
    throw new InvalidInputError('give at least one initial density (n0)');
  const rng = createRng(options.seed ?? 1);
  const traces: FluenceTrace[] = [];
  const counts: number[][] = [];
  const clean: number[][] = [];
  for (const n0 of options.n0) {
    const s = solveRateModel(options.model, options.timesNs, n0, options.params, { rtol: 1e-10 });
    const mean = Array.from(s.signal, (v) => peak * v + bg);
    const c = Array.from(poissonNoise(rng, mean));
    counts.push(c);
    clean.push(Array.from(s.signal, (v) => v + bg / peak));
    traces.push({
      timesNs: Array.from(s.timesNs),
      signal: c.map((v) => v / peak),
      sigma: mean.map((m) => Math.sqrt(Math.max(m, 1)) / peak),
      n0,
      label: `N0 = ${n0.toExponential(2)}`,
    });
  }
  return { traces, counts, clean };
}
