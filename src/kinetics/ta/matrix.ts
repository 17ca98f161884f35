/**
 * Transient absorption matrices: checking a calibrated array with `time` and `wavelength` axes,
 * converting its axes to ps and nm, and band-averaged kinetics at chosen wavelengths.
 *
 * @module
 */
import { InvalidInputError } from '../../core/errors.js';
import { axisValues, coordinateAxis } from '../../data/axis.js';
import { type CalibratedArray, calibrated } from '../../data/calibrated.js';

/** A TA matrix as plain arrays: time-major values (data[i * nw + j] at time i, wavelength j). */
export interface TaMatrixView {
  timesPs: Float64Array;
  wavelengthsNm: Float64Array;
  nt: number;
  nw: number;
  data: Float64Array;
  /** Unit of the values (`mOD`, `ΔOD`, ``). */
  unit: string;
  name: string;
}

const TIME_TO_PS: Record<string, number> = {
  fs: 1e-3,
  ps: 1,
  ns: 1e3,
  us: 1e6,
  µs: 1e6,
  μs: 1e6,
  ms: 1e9,
  s: 1e12,
};
const WAVELENGTH_TO_NM: Record<string, number> = {
  nm: 1,
  um: 1e3,
  µm: 1e3,
  μm: 1e3,
  A: 0.1,
  Å: 0.1,
};

/**
 * Plain arrays of a TA matrix (axes `time` and `wavelength`, in either order), with times in ps
 * and wavelengths in nm. Throws `InvalidInputError` for other shapes, unknown units or
 * non-finite values (naming the time and wavelength).
 *
 * @example
 * const v = taMatrixView(ta); // v.timesPs, v.wavelengthsNm, v.data (time-major)
 */
export function taMatrixView(a: CalibratedArray): TaMatrixView {
  if (!a || !Array.isArray(a.axes) || a.axes.length !== 2) {
    throw new InvalidInputError(
      `a transient absorption matrix needs two axes (time and wavelength), got ${a?.axes?.map((x) => x.name).join(' x ') ?? 'no axes'}`,
    );
  }
  const ti = a.axes.findIndex((x) => x.name === 'time');
  const wi = a.axes.findIndex((x) => x.name === 'wavelength');
  if (ti < 0 || wi < 0) {
    throw new InvalidInputError(
      `a transient absorption matrix needs axes named "time" and "wavelength", got ${a.axes.map((x) => x.name).join(', ')}`,
    );
  }
  const tAxis = a.axes[ti]!;
  const wAxis = a.axes[wi]!;
  const tf = TIME_TO_PS[tAxis.unit === '' ? 'ps' : tAxis.unit];
  if (tf === undefined)
    throw new InvalidInputError(`unknown time unit "${tAxis.unit}"; use fs, ps, ns, us, ms or s`);
  const wf = WAVELENGTH_TO_NM[wAxis.unit === '' ? 'nm' : wAxis.unit];
  if (wf === undefined)
    throw new InvalidInputError(`unknown wavelength unit "${wAxis.unit}"; use nm or um`);
  const timesPs = axisValues(tAxis).map((v) => v * tf);
  const wavelengthsNm = axisValues(wAxis).map((v) => v * wf);
  const nt = timesPs.length;
  const nw = wavelengthsNm.length;
  if (nt < 2 || nw < 1)
    throw new InvalidInputError(`the TA matrix is too small (${nt} times x ${nw} wavelengths)`);
  for (let i = 1; i < nt; i++) {
    if (!(timesPs[i]! > timesPs[i - 1]!)) {
      throw new InvalidInputError(
        `the time axis must increase; time ${i + 1} (${timesPs[i]} ps) does not exceed time ${i} (${timesPs[i - 1]} ps)`,
      );
    }
  }
  const data = new Float64Array(nt * nw);
  for (let i = 0; i < nt; i++) {
    for (let j = 0; j < nw; j++) {
      const v = ti === 0 ? a.data[i * nw + j]! : a.data[j * nt + i]!;
      if (!Number.isFinite(v)) {
        throw new InvalidInputError(
          `the TA matrix has a missing or non-finite value at time ${timesPs[i]} ps, wavelength ${wavelengthsNm[j]} nm; fill or crop it first`,
        );
      }
      data[i * nw + j] = v;
    }
  }
  return { timesPs, wavelengthsNm, nt, nw, data, unit: a.unit, name: a.name };
}

/**
 * A time-major TA calibrated array (axes `time` in ps, `wavelength` in nm) from plain arrays.
 *
 * @example
 * const ta = taMatrix([0, 1, 2], [500, 510], new Float64Array(6), { unit: 'mOD' });
 */
export function taMatrix(
  timesPs: ArrayLike<number>,
  wavelengthsNm: ArrayLike<number>,
  data: Float64Array,
  options: { unit?: string; name?: string; metadata?: Record<string, unknown> } = {},
): CalibratedArray<Float64Array> {
  return calibrated(
    data,
    [coordinateAxis('time', 'ps', timesPs), coordinateAxis('wavelength', 'nm', wavelengthsNm)],
    {
      unit: options.unit ?? '',
      name: options.name ?? 'ΔA',
      metadata: options.metadata ?? {},
    },
  );
}

/** Kinetics at one probe wavelength, averaged over a band of columns. */
export interface TaKinetic {
  /** Requested centre wavelength (nm). */
  wavelengthNm: number;
  /** Wavelength range of the columns averaged [first, last] (nm). */
  bandNm: [number, number];
  /** Number of columns averaged. */
  columns: number;
  timesPs: number[];
  values: number[];
  /** Standard error of the band mean at each time (from the spread of the columns), null for fewer than 3 columns. */
  sem: number[] | null;
  unit: string;
}

/**
 * Kinetic traces at chosen wavelengths: the mean of the columns within +- bandNm/2 of each
 * wavelength (the nearest column when the band holds none), with the standard error of that mean
 * where at least 3 columns were averaged (it includes any spectral slope within the band).
 *
 * @example
 * const [k450, k520] = taKinetics(ta, { wavelengthsNm: [450, 520], bandNm: 5 });
 */
export function taKinetics(
  a: CalibratedArray,
  options: { wavelengthsNm: readonly number[]; bandNm?: number },
): TaKinetic[] {
  const v = taMatrixView(a);
  const band = options.bandNm ?? 0;
  if (!(band >= 0) || !Number.isFinite(band))
    throw new InvalidInputError(`bandNm must be a finite number >= 0, got ${band}`);
  if (!Array.isArray(options.wavelengthsNm) || options.wavelengthsNm.length === 0) {
    throw new InvalidInputError('give at least one probe wavelength (wavelengthsNm)');
  }
  const wmin = Math.min(...v.wavelengthsNm);
  const wmax = Math.max(...v.wavelengthsNm);
  return options.wavelengthsNm.map((wl) => {
    if (!Number.isFinite(wl)) throw new InvalidInputError(`probe wavelength ${wl} is not a number`);
    if (wl < wmin - band / 2 || wl > wmax + band / 2) {
      throw new InvalidInputError(
        `probe wavelength ${wl} nm is outside the data (${wmin.toFixed(1)}-${wmax.toFixed(1)} nm)`,
      );
    }
    let cols: number[] = [];
    for (let j = 0; j < v.nw; j++) if (Math.abs(v.wavelengthsNm[j]! - wl) <= band / 2) cols.push(j);
    if (cols.length === 0) {
      let best = 0;
      for (let j = 1; j < v.nw; j++)
        if (Math.abs(v.wavelengthsNm[j]! - wl) < Math.abs(v.wavelengthsNm[best]! - wl)) best = j;
      cols = [best];
    }
    const nc = cols.length;
    const values: number[] = [];
    const sem: number[] = [];
    for (let i = 0; i < v.nt; i++) {
      let s = 0;
      for (const j of cols) s += v.data[i * v.nw + j]!;
      const mean = s / nc;
      values.push(mean);
      if (nc >= 3) {
        let ss = 0;
        for (const j of cols) ss += (v.data[i * v.nw + j]! - mean) ** 2;
        sem.push(Math.sqrt(ss / (nc - 1) / nc));
      }
    }
    const wls = cols.map((j) => v.wavelengthsNm[j]!);
    return {
      wavelengthNm: wl,
      bandNm: [Math.min(...wls), Math.max(...wls)] as [number, number],
      columns: nc,
      timesPs: Array.from(v.timesPs),
      values,
      sem: nc >= 3 ? sem : null,
      unit: v.unit,
    };
  });
}
