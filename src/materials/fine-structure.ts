/**
 * Exciton fine structure: bright-dark splitting vs nanocrystal size and the thermal occupation
 * of the bright triplet.
 *
 * Size law: Delta(L) = Delta_bulk + B / L^p with p = 3 by default (exchange interaction scaling
 * with the inverse confinement volume), fitted with the project's fit engine to the splittings of
 * paper 004 (3 / 6 / 15 meV for 14 / 8 / 5 nm CsPbBr3). Three points leave one degree of freedom:
 * the standard errors are rough. p = 2 fits the same three points about as well; pass
 * `exponent: 2` to compare (004 itself only says the splitting is "inversely proportional" to size).
 *
 * Level scheme (004 Fig. 2b): a dark singlet below a 3-fold degenerate bright triplet, so in
 * thermal equilibrium f_B = 3 exp(-Delta/kT) / (1 + 3 exp(-Delta/kT)).
 */
import { InvalidInputError } from '../core/errors.js';
import { fit } from '../fit/index.js';
import type { FitStatus, Model } from '../fit/types.js';
import { BOLTZMANN_EV_PER_K } from './constants.js';
import { BORNSCHLEGL_004, type Citation, type SplittingRecord } from './literature.js';
import { quadraticForm, studentTQuantile } from './stats.js';
import type { Estimate } from './sizing.js';
import type { Material } from './table.js';
import { finiteArray, requireFinite, requireNonNegative, requirePositive } from './validate.js';

const K_B_MEV = BOLTZMANN_EV_PER_K * 1000;

export interface BrightFractionOptions {
  /** Degeneracy of the bright level(s) (default 3, the bright triplet). */
  brightDegeneracy?: number;
  /** Degeneracy of the dark level (default 1, the dark singlet). */
  darkDegeneracy?: number;
}

/**
 * Thermal-equilibrium fraction of excitons in the bright levels,
 * f_B = g_B exp(-Delta/kT) / (g_D + g_B exp(-Delta/kT)), with Delta = E_bright - E_dark.
 * At T = 0 the lower level holds everything.
 * @example
 * brightFraction(15, 10); // 8.6e-8 (5 nm CsPbBr3 at 10 K)
 * brightFraction(3, 300); // 0.73
 */
export function brightFraction(
  splittingMeV: number,
  temperatureK: number,
  options: BrightFractionOptions = {},
): number {
  requireFinite(splittingMeV, 'bright-dark splitting (splittingMeV)', 'meV');
  requireNonNegative(temperatureK, 'temperature (temperatureK)', 'K');
  const gB = requirePositive(options.brightDegeneracy ?? 3, 'brightDegeneracy');
  const gD = requirePositive(options.darkDegeneracy ?? 1, 'darkDegeneracy');
  if (temperatureK === 0) return splittingMeV > 0 ? 0 : splittingMeV < 0 ? 1 : gB / (gB + gD);
  const x = splittingMeV / (K_B_MEV * temperatureK);
  // Written to stay finite for large |x|.
  if (x >= 0) {
    const w = gB * Math.exp(-x);
    return w / (gD + w);
  }
  const w = gD * Math.exp(x);
  return gB / (gB + w);
}

/**
 * Temperature at which k_B T equals the splitting: T = Delta / k_B.
 * @example
 * splittingTemperatureK(15); // 174.07 (004: "15 meV ... thermal energy at 174 K")
 */
export function splittingTemperatureK(splittingMeV: number): number {
  requirePositive(splittingMeV, 'bright-dark splitting (splittingMeV)', 'meV');
  return splittingMeV / K_B_MEV;
}

/**
 * Thermally averaged exciton decay rate (1/ns) with bright and dark lifetimes:
 * k = f_B / tau_B + (1 - f_B) / tau_D, assuming fast thermalisation between the levels.
 * @example
 * 1 / thermalAverageDecayRate({ splittingMeV: 15, tauBrightNs: 0.48, tauDarkNs: 52 }, 10); // ~52 ns
 */
export function thermalAverageDecayRate(
  levels: { splittingMeV: number; tauBrightNs: number; tauDarkNs: number },
  temperatureK: number,
  options: BrightFractionOptions = {},
): number {
  requirePositive(levels.tauBrightNs, 'bright lifetime (tauBrightNs)', 'ns');
  requirePositive(levels.tauDarkNs, 'dark lifetime (tauDarkNs)', 'ns');
  const f = brightFraction(levels.splittingMeV, temperatureK, options);
  return f / levels.tauBrightNs + (1 - f) / levels.tauDarkNs;
}

/**
 * Model for the fit engine: Delta(L) = splittingBulkMeV + coefficientMeVNmP / L^p (x = L in nm).
 * @example
 * splittingModel(3).params; // ['splittingBulkMeV', 'coefficientMeVNmP']
 */
export function splittingModel(exponent = 3): Model {
  requirePositive(exponent, 'splitting-law exponent');
  return {
    params: ['splittingBulkMeV', 'coefficientMeVNmP'],
    evaluate(p, x, out) {
      for (let i = 0; i < x.length; i++) out[i] = p[0]! + p[1]! * Math.pow(x[i]!, -exponent);
    },
    jacobian(_p, x, jac) {
      for (let i = 0; i < x.length; i++) {
        jac[i * 2] = 1;
        jac[i * 2 + 1] = Math.pow(x[i]!, -exponent);
      }
    },
  };
}

/** A fitted splitting-vs-size law. */
export interface SplittingCurve {
  material: string;
  form: string;
  exponent: number;
  params: { splittingBulkMeV: Estimate; coefficientMeVNmP: Estimate };
  /** Covariance of [splittingBulkMeV, coefficientMeVNmP], `null` if not estimable. */
  covariance: number[][] | null;
  nData: number;
  dof: number;
  reducedChi2: number;
  /** Size range of the data (nm). */
  edgeRangeNm: [number, number];
  points: SplittingRecord[];
  fitStatus: FitStatus;
  citation: Citation | null;
}

export interface FitSplittingOptions {
  /** Exponent p of the 1/L^p law (default 3). */
  exponent?: number;
  material?: string;
  citation?: Citation | null;
  /** Standard deviation of every splitting (meV); without it the covariance is scaled by the reduced chi-square. */
  sigmaMeV?: number;
}

/**
 * Fit Delta(L) = Delta_bulk + B / L^p to splittings with the fit engine. Default data: paper 004.
 * @example
 * const curve = fitSplittingLaw(); // 004's 3 / 6 / 15 meV at 14 / 8 / 5 nm
 * curve.params.coefficientMeVNmP.value; // ~1549 meV nm^3
 */
export function fitSplittingLaw(
  points: readonly SplittingRecord[] = BORNSCHLEGL_004.splittings,
  options: FitSplittingOptions = {},
): SplittingCurve {
  const exponent = options.exponent ?? 3;
  const usingDefault = points === BORNSCHLEGL_004.splittings;
  if (!Array.isArray(points) || points.length < 3) {
    throw new InvalidInputError(
      `fitting the splitting law needs at least 3 (size, splitting) points for an uncertainty; got ${Array.isArray(points) ? points.length : 'none'}`,
    );
  }
  const L = finiteArray(
    points.map((p) => p.edgeNm),
    'edgeNm',
  );
  const D = finiteArray(
    points.map((p) => p.brightDarkSplittingMeV),
    'brightDarkSplittingMeV',
  );
  L.forEach((v, i) => requirePositive(v, `point ${i + 1}: edge length (edgeNm)`, 'nm'));
  if (new Set(L).size < 2)
    throw new InvalidInputError('the splitting points need at least 2 different sizes');
  const fitOptions =
    options.sigmaMeV === undefined
      ? {}
      : { sigma: Array.from(L, () => requirePositive(options.sigmaMeV, 'sigmaMeV', 'meV')) };
  const model = splittingModel(exponent);
  const result = fit(
    model,
    L,
    D,
    {
      splittingBulkMeV: Math.min(...D) / 2,
      coefficientMeVNmP: Math.max(...D) * Math.pow(Math.min(...L), exponent),
    },
    fitOptions,
  );
  const est = (n: string): Estimate => ({
    value: result.params[n]!.value,
    stderr: result.params[n]!.stderr,
  });
  return {
    material: options.material ?? (usingDefault ? BORNSCHLEGL_004.material : 'user data'),
    form: `Delta(L) = Delta_bulk + B/L^${exponent}`,
    exponent,
    params: {
      splittingBulkMeV: est('splittingBulkMeV'),
      coefficientMeVNmP: est('coefficientMeVNmP'),
    },
    covariance: result.covariance,
    nData: result.nData,
    dof: result.dof,
    reducedChi2: result.reducedChi2,
    edgeRangeNm: [Math.min(...L), Math.max(...L)],
    points: points.map((p) => ({ ...p })),
    fitStatus: result.status,
    citation: options.citation ?? (usingDefault ? BORNSCHLEGL_004.citation : null),
  };
}

let defaultCurve: SplittingCurve | null = null;

/**
 * The bright-dark splitting law of a material, if the project has data for it (CsPbBr3, from
 * paper 004; fitted on first use and cached), else `null`.
 * @example
 * splittingLawFor(getMaterial('CsPbBr3'))?.exponent; // 3
 * splittingLawFor(getMaterial('CsPbI3')); // null
 */
export function splittingLawFor(material: Material): SplittingCurve | null {
  if (material.name.toLowerCase() !== BORNSCHLEGL_004.material.toLowerCase()) return null;
  if (!defaultCurve) defaultCurve = fitSplittingLaw();
  return structuredClone(defaultCurve);
}

/** Predicted splitting at one size. */
export interface SplittingPrediction {
  edgeNm: number;
  brightDarkSplittingMeV: number;
  brightDarkSplittingMeVStderr: number | null;
  /** Confidence band (default 95 %), meV. */
  band: [number, number] | null;
  /** True outside the data's size range. */
  extrapolated: boolean;
}

/**
 * Bright-dark splitting at an edge length from a fitted law, with its standard error.
 * @example
 * predictSplitting(fitSplittingLaw(), 5).brightDarkSplittingMeV; // ~15.1 meV
 */
export function predictSplitting(
  curve: SplittingCurve,
  edgeNm: number,
  options: { level?: number } = {},
): SplittingPrediction {
  requirePositive(edgeNm, 'edge length (edgeNm)', 'nm');
  const level = options.level ?? 0.95;
  const x = Math.pow(edgeNm, -curve.exponent);
  const value = curve.params.splittingBulkMeV.value + curve.params.coefficientMeVNmP.value * x;
  let stderr: number | null = null;
  if (curve.covariance) {
    const v = quadraticForm([1, x], curve.covariance);
    stderr = v >= 0 && Number.isFinite(v) ? Math.sqrt(v) : null;
  }
  const t = studentTQuantile(level, curve.dof);
  return {
    edgeNm,
    brightDarkSplittingMeV: value,
    brightDarkSplittingMeVStderr: stderr,
    band: stderr !== null && Number.isFinite(t) ? [value - t * stderr, value + t * stderr] : null,
    extrapolated: edgeNm < curve.edgeRangeNm[0] || edgeNm > curve.edgeRangeNm[1],
  };
}
