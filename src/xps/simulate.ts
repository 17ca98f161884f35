/**
 * Simulated XPS core-level spectra: doublet components on a Shirley-type background (a constant
 * plus a step proportional to the cumulative peak area from the low-binding-energy side) and a
 * linear slope, with seeded Poisson counting noise.
 */
import { InvalidInputError } from '../core/errors.js';
import { coordinateAxis } from '../data/axis.js';
import { type CalibratedArray, calibrated } from '../data/calibrated.js';
import { poisson } from '../random/poisson.js';
import { createRng } from '../random/rng.js';
import { lineShape } from '../spectra/lineshapes.js';
import { type SpinOrbitDoublet, spinOrbitDoublet } from './doublets.js';
import type { XpsLineShape } from './model.js';

/** One simulated chemical-state component. */
export interface SimulatedXpsComponent {
  /** Binding energy of the major line (eV). */
  position: number;
  /** Area of the whole doublet (counts x eV). */
  area: number;
  fwhm: number;
  fwhmLorentzian?: number;
  eta?: number;
  label?: string;
}

/** Options of `simulateXps`. */
export interface SimulateXpsOptions {
  /** Binding-energy grid { start, stop, step } (eV) or explicit values. */
  bindingEnergy: { start: number; stop: number; step: number } | ArrayLike<number>;
  /** Doublet name or definition; null for singlets. */
  doublet: string | SpinOrbitDoublet | null;
  components: SimulatedXpsComponent[];
  shape?: XpsLineShape;
  glMix?: number;
  /** Background counts at the low-binding-energy end. */
  backgroundCounts: number;
  /** Shirley step: background rise per unit of cumulative peak area (default 0.002 / eV... dimensionless x counts/area). */
  shirleyFraction?: number;
  /** Linear background slope (counts per eV). */
  slope?: number;
  /** Output on a kinetic-energy axis instead: photon energy and work function. */
  kinetic?: { photonEnergyEv: number; workFunctionEv?: number };
  seed: number;
}

/**
 * Simulate an XPS spectrum (Poisson counts). The expected spectrum, its background and each
 * component are kept in `metadata`.
 *
 * @example
 * const s = simulateXps({ bindingEnergy: { start: 132, stop: 148, step: 0.05 }, doublet: 'Pb4f',
 *   components: [{ position: 138.2, area: 50000, fwhm: 1.0 }], backgroundCounts: 2000, shirleyFraction: 0.02, seed: 1 });
 */
export function simulateXps(options: SimulateXpsOptions): CalibratedArray<Float64Array> {
  let be: Float64Array;
  if ('start' in options.bindingEnergy) {
    const { start, stop, step } = options.bindingEnergy as {
      start: number;
      stop: number;
      step: number;
    };
    if (!(step > 0) || !(stop > start))
      throw new InvalidInputError('binding-energy grid needs start < stop and step > 0');
    const n = Math.floor((stop - start) / step + 1e-9) + 1;
    be = Float64Array.from({ length: n }, (_, i) => start + i * step);
  } else be = Float64Array.from(options.bindingEnergy as ArrayLike<number>);
  const d =
    options.doublet === null
      ? null
      : typeof options.doublet === 'string'
        ? spinOrbitDoublet(options.doublet)
        : options.doublet;
  const shape = options.shape ?? 'gaussian';
  const line = lineShape(shape, { glMix: options.glMix });
  const n = be.length;
  const peaks = new Float64Array(n);
  const comps = options.components.map((c) => {
    const r = d ? d.areaRatio : 0;
    const major = c.area / (1 + r);
    const widths =
      shape === 'voigt'
        ? [c.fwhm, c.fwhmLorentzian ?? 0]
        : shape === 'pseudo-voigt'
          ? [c.fwhm, c.eta ?? 0.3]
          : [c.fwhm];
    const y = Float64Array.from(be, (e) => {
      let v = line.value(e, [c.position, major, ...widths], 0);
      if (d) v += line.value(e, [c.position + d.splittingEv, major * r, ...widths], 0);
      return v;
    });
    for (let i = 0; i < n; i++) peaks[i] += y[i];
    return { label: c.label ?? '', values: Array.from(y) };
  });
  const k = options.shirleyFraction ?? 0;
  const slope = options.slope ?? 0;
  const bg = new Float64Array(n);
  let cum = 0;
  for (let i = 0; i < n; i++) {
    if (i > 0) cum += 0.5 * (be[i] - be[i - 1]) * (peaks[i] + peaks[i - 1]);
    bg[i] = options.backgroundCounts + k * cum + slope * (be[i] - be[0]);
  }
  const rng = createRng(options.seed);
  const expected = Float64Array.from(peaks, (p, i) => p + bg[i]);
  const counts = Float64Array.from(expected, (m, i) => {
    if (!(m >= 0))
      throw new InvalidInputError(`the expected counts are negative (${m}) at ${be[i]} eV`);
    return poisson(rng, m);
  });
  const meta = {
    simulated: { ...options, shape },
    expected: Array.from(expected),
    background: Array.from(bg),
    components: comps,
  };
  if (options.kinetic) {
    const hv = options.kinetic.photonEnergyEv;
    const phi = options.kinetic.workFunctionEv ?? 0;
    const ke = Float64Array.from({ length: n }, (_, i) => hv - phi - be[n - 1 - i]);
    const y = Float64Array.from({ length: n }, (_, i) => counts[n - 1 - i]);
    return calibrated(y, [coordinateAxis('kinetic energy', 'eV', ke)], {
      unit: 'counts',
      name: 'simulated XPS',
      metadata: meta,
    });
  }
  return calibrated(counts, [coordinateAxis('binding energy', 'eV', be)], {
    unit: 'counts',
    name: 'simulated XPS',
    metadata: meta,
  });
}
