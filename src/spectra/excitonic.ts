/**
 * The excitonic absorption peak from the minimum of the smoothed second derivative of an
 * absorption spectrum (as in Wang et al., paper 001: "the maximum of the lowest-energy absorption
 * peak is 485 nm (2.56 eV) ... as determined from taking the second derivative"), and the
 * Stokes shift between emission and absorption peaks.
 */
import { InvalidInputError } from '../core/errors.js';
import { type Quantity, quantity } from '../core/quantity.js';
import { fillNormal } from '../random/normal.js';
import { createRng } from '../random/rng.js';
import { HC_EV_NM, type SpectrumInput, spectrumXY } from './convert.js';
import { savitzkyGolay } from './savitzky-golay.js';

/** Options of `excitonicPeak`. */
export interface ExcitonicPeakOptions {
  /** Savitzky-Golay window (odd, default 15 points) and polynomial order (default 3). */
  window?: number;
  order?: number;
  /** Only look for the minimum with x in [min, max] (axis units). */
  range?: [number, number];
  /**
   * Which minimum of the second derivative: `deepest` (default) or `lowest-energy` - the minimum
   * at the lowest photon energy whose depth is at least `minDepthFraction` of the deepest.
   */
  select?: 'deepest' | 'lowest-energy';
  minDepthFraction?: number;
  /** Monte Carlo resamples for the uncertainty (default 40; 0 gives stderr null). */
  uncertaintySamples?: number;
  /** Seed of the resampling (default 1). */
  seed?: number;
}

/** The excitonic absorption peak found from the second derivative. */
export interface ExcitonicPeak {
  /** Position on the spectrum's own axis (nm or eV), with a Monte Carlo stderr. */
  position: Quantity;
  wavelengthNm: Quantity;
  energyEv: Quantity;
  /** Value of the second derivative at the minimum (y units per x unit²). */
  secondDerivativeMin: number;
  /** All local minima of the second derivative in range, deepest first. */
  candidates: { position: number; depth: number }[];
  /** The smoothed second derivative (for plotting). */
  secondDerivative: { x: number[]; y: number[] };
  /** Noise sd estimated from the data minus the smoothed curve. */
  noiseSd: number;
  options: { window: number; order: number; select: string; seed: number; samples: number };
}

function isEnergy(unit: string): boolean {
  return unit === 'eV' || unit === 'meV';
}

function minimaOf(
  x: Float64Array,
  d2: Float64Array,
  lo: number,
  hi: number,
  floor: number,
): { position: number; depth: number; index: number }[] {
  const out: { position: number; depth: number; index: number }[] = [];
  for (let i = 1; i < x.length - 1; i++) {
    if (x[i] < lo || x[i] > hi) continue;
    if (d2[i] < -floor && d2[i] <= d2[i - 1] && d2[i] < d2[i + 1]) {
      // parabolic refinement of the vertex
      const x0 = x[i - 1],
        x1 = x[i],
        x2 = x[i + 1];
      const y0 = d2[i - 1],
        y1 = d2[i],
        y2 = d2[i + 1];
      const den = (x0 - x1) * (x0 - x2) * (x1 - x2);
      const A = (x2 * (y1 - y0) + x1 * (y0 - y2) + x0 * (y2 - y1)) / den;
      const B = (x2 * x2 * (y0 - y1) + x1 * x1 * (y2 - y0) + x0 * x0 * (y1 - y2)) / den;
      let pos = x1;
      let val = y1;
      if (A > 0) {
        const xv = -B / (2 * A);
        if (xv >= x0 && xv <= x2) {
          pos = xv;
          val = y1 + A * (xv - x1) * (xv - x1) + (2 * A * x1 + B) * (xv - x1);
        }
      }
      out.push({ position: pos, depth: -val, index: i });
    }
  }
  return out.sort((a, b) => b.depth - a.depth);
}

function pick(
  cands: { position: number; depth: number }[],
  select: 'deepest' | 'lowest-energy',
  frac: number,
  energyAxis: boolean,
): { position: number; depth: number } | undefined {
  if (cands.length === 0) return undefined;
  if (select === 'deepest') return cands[0];
  const deep = cands[0].depth;
  const ok = cands.filter((c) => c.depth >= frac * deep);
  // lowest energy = smallest x on an energy axis, largest x on a wavelength axis
  return ok.reduce((best, c) =>
    energyAxis ? (c.position < best.position ? c : best) : c.position > best.position ? c : best,
  );
}

/**
 * Excitonic absorption peak: the minimum of the Savitzky-Golay second derivative of an
 * absorption spectrum, refined by a parabola, with a Monte Carlo standard error (noise
 * estimated from the data minus the smoothed spectrum, resampled with a fixed seed).
 *
 * @example
 * const peak = excitonicPeak(absorbance, { range: [450, 520] });
 * peak.wavelengthNm.value; // 485.1
 */
export function excitonicPeak(
  absorption: SpectrumInput,
  options: ExcitonicPeakOptions = {},
): ExcitonicPeak {
  const s = spectrumXY(absorption, 'absorption spectrum');
  const energyAxis = isEnergy(s.xUnit);
  if (!energyAxis && s.xUnit !== 'nm' && s.xUnit !== '') {
    throw new InvalidInputError(`absorption spectrum axis unit "${s.xUnit}" is not nm or eV`);
  }
  const window = options.window ?? 15;
  const order = options.order ?? 3;
  const select = options.select ?? 'deepest';
  const frac = options.minDepthFraction ?? 0.2;
  const samples = options.uncertaintySamples ?? 40;
  const seed = options.seed ?? 1;
  const [lo, hi] = options.range
    ? [Math.min(...options.range), Math.max(...options.range)]
    : [-Infinity, Infinity];
  const d2 = savitzkyGolay(s, { window, order, derivative: 2 }).y;
  // curvature below ~1e-9 of (y range / x span²) is round-off, not a feature
  const span = s.x[s.x.length - 1] - s.x[0];
  const yRange = Math.max(...s.y) - Math.min(...s.y);
  const floor = (1e-9 * (yRange || 1)) / (span * span);
  const cands = minimaOf(s.x, d2, lo, hi, floor);
  const best = pick(cands, select, frac, energyAxis);
  if (!best) {
    throw new InvalidInputError(
      `no minimum of the second derivative${options.range ? ` in [${lo}, ${hi}] ${s.xUnit}` : ''}; widen the range or reduce the window`,
    );
  }
  const smooth = savitzkyGolay(s, { window, order, derivative: 0 }).y;
  let ss = 0;
  for (let i = 0; i < s.x.length; i++) ss += (s.y[i] - smooth[i]) ** 2;
  const noiseSd = Math.sqrt(ss / Math.max(1, s.x.length - order - 1));
  let stderr: number | null = null;
  if (samples > 1 && noiseSd > 0) {
    const rng = createRng(seed);
    const noise = new Float64Array(s.x.length);
    const found: number[] = [];
    for (let k = 0; k < samples; k++) {
      fillNormal(rng, noise, 0, noiseSd);
      const yk = Float64Array.from(smooth, (v, i) => v + noise[i]);
      const d2k = savitzkyGolay(
        { x: s.x, y: yk, xUnit: s.xUnit },
        { window, order, derivative: 2 },
      ).y;
      const ck = minimaOf(s.x, d2k, lo, hi, floor);
      // follow the same feature: the candidate nearest the found position
      let near: number | undefined;
      for (const c of ck)
        if (
          near === undefined ||
          Math.abs(c.position - best.position) < Math.abs(near - best.position)
        )
          near = c.position;
      if (near !== undefined) found.push(near);
    }
    if (found.length > 1) {
      const m = found.reduce((a, b) => a + b, 0) / found.length;
      stderr = Math.sqrt(found.reduce((a, b) => a + (b - m) ** 2, 0) / (found.length - 1));
    }
  }
  const pos = best.position;
  const nm = energyAxis ? HC_EV_NM / (s.xUnit === 'meV' ? pos * 1e-3 : pos) : pos;
  const ev = HC_EV_NM / nm;
  const relErr = stderr === null ? null : stderr / pos;
  return {
    position: quantity(pos, s.xUnit, stderr),
    wavelengthNm: quantity(nm, 'nm', relErr === null ? null : relErr * nm),
    energyEv: quantity(ev, 'eV', relErr === null ? null : relErr * ev),
    secondDerivativeMin: -best.depth,
    candidates: cands.map((c) => ({ position: c.position, depth: c.depth })),
    secondDerivative: { x: Array.from(s.x), y: Array.from(d2) },
    noiseSd,
    options: { window, order, select, seed, samples },
  };
}

/** A peak position for `stokesShift`: a number in nm, or a quantity in nm / eV / meV. */
export type PeakPosition = number | Quantity;

function toEv(p: PeakPosition, what: string): { ev: number; sd: number | null } {
  const q = typeof p === 'number' ? quantity(p, 'nm', null) : p;
  if (!(q.value > 0))
    throw new InvalidInputError(`${what} must be positive, got ${q.value} ${q.unit}`);
  if (q.unit === 'nm' || q.unit === '')
    return {
      ev: HC_EV_NM / q.value,
      sd: q.stderr === null ? null : (HC_EV_NM / (q.value * q.value)) * q.stderr,
    };
  if (q.unit === 'eV') return { ev: q.value, sd: q.stderr };
  if (q.unit === 'meV')
    return { ev: q.value * 1e-3, sd: q.stderr === null ? null : q.stderr * 1e-3 };
  throw new InvalidInputError(`${what} unit "${q.unit}" is not nm, eV or meV`);
}

/**
 * Stokes shift in meV: absorption (excitonic) peak energy minus emission (PL) peak energy.
 * Plain numbers are wavelengths in nm; quantities may be in nm, eV or meV, and their stderrs
 * are propagated (independent errors).
 *
 * @example
 * stokesShift({ emission: 498, absorption: 485 }).value; // 66.7 (meV)
 */
export function stokesShift(peaks: { emission: PeakPosition; absorption: PeakPosition }): Quantity {
  const e = toEv(peaks.emission, 'emission peak');
  const a = toEv(peaks.absorption, 'absorption peak');
  const sd =
    e.sd === null && a.sd === null ? null : Math.sqrt((e.sd ?? 0) ** 2 + (a.sd ?? 0) ** 2) * 1000;
  return quantity((a.ev - e.ev) * 1000, 'meV', sd);
}
