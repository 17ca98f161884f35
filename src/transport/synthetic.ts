/**
 * Synthetic TPLM cubes with known truth, for round-trip tests and demos: a Gaussian (or Voigt)
 * exciton profile whose variance grows as sigma^2(t) = sigma0^2 + 2 D t (or follows a given
 * MSD(t)), an amplitude decaying as exp(-t / tau), a constant background and Poisson noise.
 */
import { InvalidInputError } from '../core/errors.js';
import { coordinateAxis, uniformAxis } from '../data/axis.js';
import { type CalibratedArray, calibrated } from '../data/calibrated.js';
import { createRng, poisson } from '../random/index.js';
import { voigt } from './profile-models.js';

export interface SyntheticTplmOptions {
  /** Initial Gaussian sigma, um. */
  sigma0Um: number;
  /** Diffusivity in cm^2/s (per axis: sigma^2 grows by 2 D t). Ignored if `msdUm2` is given. */
  dCm2PerS?: number;
  /** MSD(t) in um^2 as a function of time in ns (overrides D). */
  msdUm2?: (tNs: number) => number;
  /** PL lifetime (ns) of the single-exponential total PL. */
  tauNs: number;
  /** Total counts in the first time bin (default 2e5). */
  peakCounts?: number;
  /** Background counts per pixel per bin (default 2). */
  background?: number;
  /** Lorentzian half width (um) convolved with the Gaussian (default 0: pure Gaussian). */
  gammaLUm?: number;
  /** Time bins (default 80 of 25 ps starting at 0). */
  bins?: number;
  binNs?: number;
  /** Positions: `pixels` per axis at `pitchUm` spacing, centred on 0 (default 61 x 0.05 um). */
  pixels?: number;
  pitchUm?: number;
  /** 2 for PL(x, y, t) (default 1). */
  dimension?: 1 | 2;
  /** Seed of the Poisson noise; `null` for the noiseless expectation. */
  seed?: number | null;
}

/**
 * A synthetic PL(time, x) or PL(time, x, y) cube with Poisson counts.
 *
 * @example
 * const cube = synthesizeTplmCube({ sigma0Um: 0.3, dCm2PerS: 0.5, tauNs: 1, seed: 1 });
 */
export function synthesizeTplmCube(o: SyntheticTplmOptions): CalibratedArray<Float64Array> {
  const nt = o.bins ?? 80;
  const dt = o.binNs ?? 0.025;
  const np = o.pixels ?? 61;
  const pitch = o.pitchUm ?? 0.05;
  const dim = o.dimension ?? 1;
  const peak = o.peakCounts ?? 2e5;
  const bg = o.background ?? 2;
  const gL = o.gammaLUm ?? 0;
  if (!(o.sigma0Um > 0) || !(o.tauNs > 0) || !(peak > 0) || !(bg >= 0) || !(gL >= 0)) {
    throw new InvalidInputError(
      'synthesizeTplmCube: sigma0Um, tauNs, peakCounts must be > 0 and background, gammaLUm >= 0',
    );
  }
  if (dim === 2 && gL > 0)
    throw new InvalidInputError('synthesizeTplmCube: the Voigt shape is 1-D only');
  const msd = o.msdUm2 ?? ((t: number) => (2 * (o.dCm2PerS ?? 0) * t) / 10);
  const x = Array.from({ length: np }, (_, i) => (i - (np - 1) / 2) * pitch);
  const nPix = dim === 2 ? np * np : np;
  const out = new Float64Array(nt * nPix);
  const rng = o.seed === null || o.seed === undefined ? null : createRng(o.seed);
  for (let k = 0; k < nt; k++) {
    const t = k * dt;
    const s2 = o.sigma0Um * o.sigma0Um + msd(t);
    if (!(s2 > 0))
      throw new InvalidInputError(`synthesizeTplmCube: sigma^2 at ${t} ns is ${s2} <= 0`);
    const s = Math.sqrt(s2);
    const total = peak * Math.exp(-t / o.tauNs);
    for (let i = 0; i < nPix; i++) {
      let mean: number;
      if (dim === 1) {
        const shape =
          gL > 0
            ? voigt(x[i], s, gL)
            : Math.exp((-x[i] * x[i]) / (2 * s2)) / (s * Math.sqrt(2 * Math.PI));
        mean = total * shape * pitch + bg;
      } else {
        const xi = x[Math.floor(i / np)];
        const yi = x[i % np];
        mean =
          total * (Math.exp(-(xi * xi + yi * yi) / (2 * s2)) / (2 * Math.PI * s2)) * pitch * pitch +
          bg;
      }
      out[k * nPix + i] = rng ? poisson(rng, mean) : mean;
    }
  }
  const axes = [uniformAxis('time', 'ns', nt, dt, 0), coordinateAxis('x', 'um', x)];
  if (dim === 2) axes.push(coordinateAxis('y', 'um', x));
  return calibrated(out, axes, {
    unit: 'counts',
    name: 'synthetic PL',
    metadata: { synthetic: { ...o, msdUm2: o.msdUm2 ? 'function' : undefined } },
  });
}
