/**
 * Spectrum input handling and the wavelength <-> photon-energy conversion with the Jacobian.
 */
import { InvalidInputError } from '../core/errors.js';
import { axisValues, coordinateAxis } from '../data/axis.js';
import { type CalibratedArray, calibrated } from '../data/calibrated.js';

/** hc in eV nm (CODATA 2018; project constant, physics.md). */
export const HC_EV_NM = 1239.84198;

/** A 1-D spectrum: a calibrated array with one axis, or plain x/y columns. */
export type SpectrumInput =
  | CalibratedArray
  | {
      x: ArrayLike<number>;
      y: ArrayLike<number>;
      xName?: string;
      xUnit?: string;
      unit?: string;
      name?: string;
    };

/** x/y columns of a spectrum with ascending, finite x, and what the axis is. */
export interface SpectrumXY {
  x: Float64Array;
  y: Float64Array;
  xName: string;
  xUnit: string;
  unit: string;
  name: string;
}

/**
 * Columns of a 1-D spectrum, sorted so that x ascends (a descending axis, e.g. energy converted
 * from wavelength, is reversed). Throws if x is not monotonic or values are not finite.
 *
 * @example
 * const { x, y } = spectrumXY({ x: [500, 501, 502], y: [1, 3, 1] });
 */
export function spectrumXY(input: SpectrumInput, what = 'spectrum'): SpectrumXY {
  let x: Float64Array;
  let y: Float64Array;
  let xName: string;
  let xUnit: string;
  let unit: string;
  let name: string;
  if ('axes' in input) {
    if (input.axes.length !== 1) {
      throw new InvalidInputError(
        `${what} must be 1-D, got axes ${input.axes.map((a) => a.name).join(' x ')}`,
      );
    }
    x = axisValues(input.axes[0]);
    y = Float64Array.from(input.data);
    xName = input.axes[0].name;
    xUnit = input.axes[0].unit;
    unit = input.unit;
    name = input.name;
  } else {
    if (input.x.length !== input.y.length) {
      throw new InvalidInputError(
        `${what}: x has ${input.x.length} values but y has ${input.y.length}`,
      );
    }
    x = Float64Array.from(input.x);
    y = Float64Array.from(input.y);
    xName = input.xName ?? 'x';
    xUnit = input.xUnit ?? '';
    unit = input.unit ?? '';
    name = input.name ?? '';
  }
  if (x.length < 3)
    throw new InvalidInputError(`${what} has ${x.length} points; at least 3 are needed`);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) {
      throw new InvalidInputError(
        `${what}: point ${i} (x = ${x[i]}, y = ${y[i]}) is not a finite number`,
      );
    }
  }
  const dir = Math.sign(x[1] - x[0]);
  for (let i = 1; i < x.length; i++) {
    if (Math.sign(x[i] - x[i - 1]) !== dir || dir === 0) {
      throw new InvalidInputError(
        `${what}: x must be strictly increasing or decreasing (point ${i}: ${x[i - 1]} then ${x[i]})`,
      );
    }
  }
  if (dir < 0) {
    x.reverse();
    y.reverse();
  }
  return { x, y, xName, xUnit, unit, name };
}

/**
 * Photon energy (eV) of a wavelength (nm): E = hc / λ.
 *
 * @example
 * nmToEv(498); // 2.4896 eV
 */
export function nmToEv(wavelengthNm: number): number {
  if (!(wavelengthNm > 0))
    throw new InvalidInputError(`wavelength must be positive, got ${wavelengthNm} nm`);
  return HC_EV_NM / wavelengthNm;
}

/**
 * Wavelength (nm) of a photon energy (eV): λ = hc / E.
 *
 * @example
 * evToNm(2.49); // 497.9 nm
 */
export function evToNm(energyEv: number): number {
  if (!(energyEv > 0))
    throw new InvalidInputError(`photon energy must be positive, got ${energyEv} eV`);
  return HC_EV_NM / energyEv;
}

function unitScaleToNm(unit: string): number {
  const u = unit.trim();
  if (u === 'nm') return 1;
  if (u === 'um' || u === 'µm' || u === 'μm') return 1000;
  if (u === 'Å' || u === 'A' || u === 'angstrom') return 0.1;
  throw new InvalidInputError(`wavelength axis unit "${unit}" is not nm, um or Å`);
}

function unitScaleToEv(unit: string): number {
  const u = unit.trim();
  if (u === 'eV') return 1;
  if (u === 'meV') return 1e-3;
  throw new InvalidInputError(`energy axis unit "${unit}" is not eV or meV`);
}

/**
 * Convert a spectrum on a wavelength axis to photon energy. Intensities per unit wavelength
 * become intensities per unit energy with the Jacobian |dλ/dE| = λ²/hc, so that the integral
 * (e.g. the number of photons in a band) is unchanged: I(E) = I(λ) λ² / hc. The result has an
 * ascending `energy` axis in eV. Pass `{ jacobian: false }` for quantities that are not
 * densities (absorbance, transmission).
 *
 * @example
 * const pl = wavelengthToEnergy(plNm); // axis energy (eV)
 */
export function wavelengthToEnergy(
  spectrum: SpectrumInput,
  options: { jacobian?: boolean } = {},
): CalibratedArray<Float64Array> {
  const s = spectrumXY(spectrum);
  const toNm = unitScaleToNm(s.xUnit || 'nm');
  const n = s.x.length;
  const e = new Float64Array(n);
  const out = new Float64Array(n);
  const jac = options.jacobian ?? true;
  for (let i = 0; i < n; i++) {
    const lam = s.x[n - 1 - i] * toNm;
    if (!(lam > 0))
      throw new InvalidInputError(`wavelength ${s.x[n - 1 - i]} ${s.xUnit} is not positive`);
    e[i] = HC_EV_NM / lam;
    out[i] = jac ? (s.y[n - 1 - i] * lam * lam) / HC_EV_NM : s.y[n - 1 - i];
  }
  const meta = 'axes' in spectrum ? spectrum.metadata : {};
  return calibrated(out, [coordinateAxis('energy', 'eV', e)], {
    unit: s.unit,
    name: s.name,
    metadata: {
      ...meta,
      converted: { from: 'wavelength', jacobian: jac ? 'I(E) = I(λ) λ²/hc' : 'none' },
    },
  });
}

/**
 * Convert a spectrum on a photon-energy axis (eV) to wavelength (nm), with the Jacobian
 * I(λ) = I(E) hc / λ² (or without it, `{ jacobian: false }`). The result has an ascending
 * `wavelength` axis in nm.
 *
 * @example
 * const plNm = energyToWavelength(plEv);
 */
export function energyToWavelength(
  spectrum: SpectrumInput,
  options: { jacobian?: boolean } = {},
): CalibratedArray<Float64Array> {
  const s = spectrumXY(spectrum);
  const toEv = unitScaleToEv(s.xUnit || 'eV');
  const n = s.x.length;
  const lam = new Float64Array(n);
  const out = new Float64Array(n);
  const jac = options.jacobian ?? true;
  for (let i = 0; i < n; i++) {
    const en = s.x[n - 1 - i] * toEv;
    if (!(en > 0))
      throw new InvalidInputError(`photon energy ${s.x[n - 1 - i]} ${s.xUnit} is not positive`);
    lam[i] = HC_EV_NM / en;
    out[i] = jac ? (s.y[n - 1 - i] * HC_EV_NM) / (lam[i] * lam[i]) : s.y[n - 1 - i];
  }
  const meta = 'axes' in spectrum ? spectrum.metadata : {};
  return calibrated(out, [coordinateAxis('wavelength', 'nm', lam)], {
    unit: s.unit,
    name: s.name,
    metadata: {
      ...meta,
      converted: { from: 'energy', jacobian: jac ? 'I(λ) = I(E) hc/λ²' : 'none' },
    },
  });
}

/**
 * Trapezoid integral of y over x (negative for descending x).
 *
 * @example
 * trapezoid([0, 1, 2], [0, 1, 0]); // 1
 */
export function trapezoid(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 1; i < x.length; i++) s += 0.5 * (x[i] - x[i - 1]) * (y[i] + y[i - 1]);
  return s;
}
