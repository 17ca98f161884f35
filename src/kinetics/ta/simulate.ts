/**
 * Simulated transient absorption matrices with known truth: decay-associated spectra built from
 * Gaussian bands, exponential decays convolved with a Gaussian IRF, a chirped time zero, an
 * optional coherent artefact and Gaussian noise from the project's seeded generator.
 *
 * @module
 */
import { InvalidInputError } from '../../core/errors.js';
import type { CalibratedArray } from '../../data/calibrated.js';
import { createRng } from '../../random/rng.js';
import { fillNormal } from '../../random/normal.js';
import { FWHM_PER_SIGMA, convolvedExponential, dispersionShift, gaussianPulse } from './basis.js';
import { taMatrix } from './matrix.js';

/** A Gaussian spectral band: centre and FWHM in nm, signed amplitude (negative for bleach). */
export interface SpectralBand {
  centerNm: number;
  fwhmNm: number;
  amplitude: number;
}

/** One kinetic component: lifetime (Infinity for non-decaying) and its DAS as a sum of bands. */
export interface TaComponent {
  tauPs: number;
  bands: readonly SpectralBand[];
}

export interface TaSimulationOptions {
  timesPs: ArrayLike<number>;
  wavelengthsNm: ArrayLike<number>;
  components: readonly TaComponent[];
  /** Gaussian IRF: centre (time zero at the reference wavelength) and FWHM, ps. Default: centre 0, no broadening. */
  irf?: { centerPs: number; fwhmPs: number };
  /** Chirp: t0(lambda) = centre + sum_k c_k ((lambda - referenceNm)/100)^k (c_1, c_2, ... in ps). */
  dispersion?: { referenceNm: number; coefficients: readonly number[] };
  /** Coherent artefact: an IRF-shaped signal at time zero with these spectral bands. */
  coherentArtefact?: readonly SpectralBand[];
  /** Standard deviation of the added Gaussian noise (default 0). */
  noiseSd?: number;
  seed?: number;
  /** Unit of the values (default `mOD`). */
  unit?: string;
}

export interface TaSimulation {
  matrix: CalibratedArray<Float64Array>;
  /** The noiseless matrix, time-major. */
  clean: Float64Array;
  /** The true DAS of each component at every wavelength. */
  das: number[][];
  /** The true time zero at every wavelength (ps). */
  timeZeroPs: number[];
}

/**
 * Sum of Gaussian bands at a wavelength.
 *
 * @example
 * bandSpectrum([{ centerNm: 500, fwhmNm: 40, amplitude: -2 }], 500); // -2
 */
export function bandSpectrum(bands: readonly SpectralBand[], wavelengthNm: number): number {
  let s = 0;
  for (const b of bands) {
    const sd = b.fwhmNm / FWHM_PER_SIGMA;
    const u = (wavelengthNm - b.centerNm) / sd;
    s += b.amplitude * Math.exp(-0.5 * u * u);
  }
  return s;
}

/**
 * Simulate a TA matrix: S(t, lambda) = sum_c DAS_c(lambda) [exp(-(t - t0(lambda))/tau_c) (x) IRF]
 * (+ artefact) + noise, time-major with axes `time` (ps) and `wavelength` (nm).
 *
 * @example
 * const sim = simulateTaMatrix({
 *   timesPs, wavelengthsNm,
 *   components: [{ tauPs: 5, bands: [{ centerNm: 500, fwhmNm: 40, amplitude: -2 }] }],
 *   irf: { centerPs: 0, fwhmPs: 0.2 }, noiseSd: 0.05, seed: 1,
 * });
 */
export function simulateTaMatrix(options: TaSimulationOptions): TaSimulation {
  const t = Float64Array.from(options.timesPs);
  const wl = Float64Array.from(options.wavelengthsNm);
  if (t.length < 2 || wl.length < 1)
    throw new InvalidInputError('simulateTaMatrix needs at least 2 times and 1 wavelength');
  if (!Array.isArray(options.components) || options.components.length === 0) {
    throw new InvalidInputError('simulateTaMatrix needs at least one component { tauPs, bands }');
  }
  options.components.forEach((c, i) => {
    if (!(c.tauPs > 0))
      throw new InvalidInputError(
        `component ${i + 1}: tauPs must be positive (Infinity for non-decaying), got ${c.tauPs}`,
      );
  });
  const noise = options.noiseSd ?? 0;
  if (!(noise >= 0)) throw new InvalidInputError(`noiseSd must be >= 0, got ${noise}`);
  const center = options.irf?.centerPs ?? 0;
  const sigma = options.irf ? options.irf.fwhmPs / FWHM_PER_SIGMA : 0;
  if (options.irf && !(options.irf.fwhmPs > 0))
    throw new InvalidInputError(`the IRF FWHM must be positive, got ${options.irf.fwhmPs}`);
  const nt = t.length;
  const nw = wl.length;
  const das = options.components.map((c) => Array.from(wl, (w) => bandSpectrum(c.bands, w)));
  const timeZeroPs = Array.from(wl, (w) =>
    options.dispersion
      ? center + dispersionShift(w, options.dispersion.referenceNm, options.dispersion.coefficients)
      : center,
  );
  const clean = new Float64Array(nt * nw);
  for (let j = 0; j < nw; j++) {
    const t0 = timeZeroPs[j]!;
    const art = options.coherentArtefact ? bandSpectrum(options.coherentArtefact, wl[j]!) : 0;
    for (let i = 0; i < nt; i++) {
      let s = 0;
      options.components.forEach((c, k) => {
        s += das[k]![j]! * convolvedExponential(t[i]!, c.tauPs, t0, sigma);
      });
      if (art !== 0) s += art * gaussianPulse(t[i]!, t0, sigma);
      clean[i * nw + j] = s;
    }
  }
  const data = Float64Array.from(clean);
  if (noise > 0) {
    const e = new Float64Array(nt * nw);
    fillNormal(createRng(options.seed ?? 1), e, 0, noise);
    for (let i = 0; i < data.length; i++) data[i] = data[i]! + e[i]!;
  }
  return {
    matrix: taMatrix(t, wl, data, {
      unit: options.unit ?? 'mOD',
      name: 'ΔA',
      metadata: { simulated: true, seed: options.seed ?? 1, noiseSd: noise },
    }),
    clean,
    das,
    timeZeroPs,
  };
}
