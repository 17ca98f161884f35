/**
 * Simulated spectra: a sum of line shapes on a baseline, with seeded Gaussian or Poisson noise.
 */
import { InvalidInputError } from '../core/errors.js';
import { coordinateAxis } from '../data/axis.js';
import { type CalibratedArray, calibrated } from '../data/calibrated.js';
import { normal } from '../random/normal.js';
import { poisson } from '../random/poisson.js';
import { createRng } from '../random/rng.js';
import { type PeakShape, SHAPE_PARAMS, lineShape } from './lineshapes.js';

/** One simulated peak: its shape and parameters by name (see `SHAPE_PARAMS`). */
export interface SimulatedPeak {
  shape: PeakShape;
  center: number;
  area: number;
  fwhm?: number;
  fwhmGaussian?: number;
  fwhmLorentzian?: number;
  eta?: number;
  glMix?: number;
}

/** Options of `simulateSpectrum`. */
export interface SimulateSpectrumOptions {
  /** Axis positions, or a uniform grid { start, stop, step }. */
  x: ArrayLike<number> | { start: number; stop: number; step: number };
  xName?: string;
  xUnit?: string;
  unit?: string;
  peaks: SimulatedPeak[];
  /** Polynomial baseline coefficients c0 + c1 (x - xRef) + ... (default none). */
  baseline?: number[];
  xRef?: number;
  /** Noise: Gaussian with sd `sigma`, or Poisson counts (the model is the expected count). */
  noise?: { type: 'gaussian'; sigma: number } | { type: 'poisson' } | { type: 'none' };
  seed: number;
}

/**
 * Simulate a spectrum from peaks, a baseline and seeded noise. The expected (noise-free) model
 * is kept in `metadata.model`.
 *
 * @example
 * const s = simulateSpectrum({ x: { start: 450, stop: 560, step: 0.5 }, xUnit: 'nm',
 *   peaks: [{ shape: 'gaussian', center: 515, area: 2000, fwhm: 20 }], noise: { type: 'poisson' }, seed: 1 });
 */
export function simulateSpectrum(options: SimulateSpectrumOptions): CalibratedArray<Float64Array> {
  let x: Float64Array;
  if ('start' in options.x) {
    const { start, stop, step } = options.x;
    if (!(step > 0) || !(stop > start))
      throw new InvalidInputError('x grid needs start < stop and step > 0');
    const n = Math.floor((stop - start) / step + 1e-9) + 1;
    x = Float64Array.from({ length: n }, (_, i) => start + i * step);
  } else {
    x = Float64Array.from(options.x);
  }
  if (!Number.isSafeInteger(options.seed))
    throw new InvalidInputError(`seed must be an integer, got ${options.seed}`);
  const model = new Float64Array(x.length);
  for (const p of options.peaks) {
    const line = lineShape(p.shape, { glMix: p.glMix });
    const values = SHAPE_PARAMS[p.shape].map((name) => {
      const v = (p as unknown as Record<string, number | undefined>)[name];
      if (v === undefined || !Number.isFinite(v))
        throw new InvalidInputError(`simulated ${p.shape} peak needs a finite "${name}"`);
      return v;
    });
    for (let i = 0; i < x.length; i++) model[i] += line.value(x[i], values, 0);
  }
  const base = options.baseline ?? [];
  const xRef = options.xRef ?? 0;
  for (let i = 0; i < x.length; i++) {
    let b = 0;
    for (let d = base.length - 1; d >= 0; d--) b = b * (x[i] - xRef) + base[d];
    model[i] += b;
  }
  const rng = createRng(options.seed);
  const noise = options.noise ?? { type: 'none' };
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    if (noise.type === 'gaussian') y[i] = normal(rng, model[i], noise.sigma);
    else if (noise.type === 'poisson') {
      if (model[i] < 0)
        throw new InvalidInputError(
          `Poisson noise needs a non-negative model; it is ${model[i]} at x = ${x[i]}`,
        );
      y[i] = poisson(rng, model[i]);
    } else y[i] = model[i];
  }
  return calibrated(
    y,
    [
      coordinateAxis(
        options.xName ?? (options.xUnit === 'eV' ? 'energy' : 'wavelength'),
        options.xUnit ?? 'nm',
        x,
      ),
    ],
    {
      unit: options.unit ?? (noise.type === 'poisson' ? 'counts' : 'a.u.'),
      name: 'simulated spectrum',
      metadata: {
        simulated: { peaks: options.peaks, baseline: base, xRef, noise, seed: options.seed },
        model: Array.from(model),
      },
    },
  );
}
