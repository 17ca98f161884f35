/**
 * Empirical sizing curve: PL peak energy vs nanocrystal edge length,
 *
 *   E(L) = E_inf + A / L^2 + B / L        (E in eV, L in nm),
 *
 * fitted with the project's fit engine to size vs PL-peak data (by default 002 Table 1), and
 * shipped with its parameter covariance. Forward (edge -> peak) and inverse (peak -> edge)
 * predictions carry standard errors and 95 % bands propagated from that covariance.
 *
 * How the literature rows become fit points: each row of 002 Table 1 gives a size range and a
 * PL-peak range; the point is (midpoint of the size range, photon energy of the midpoint of the
 * peak range). The fit is unweighted least squares in energy, so the engine scales the covariance
 * by the reduced chi-square: the scatter between literature reports sets the uncertainty. Bands
 * use the Student-t quantile for the fit's degrees of freedom.
 *
 * The built-in curves are fitted at run time from the literature data on first use and cached
 * (per data set), so the shipped numbers can never drift from the data; tests re-fit and check
 * them against the paper.
 *
 * A/L^2 is the parabolic kinetic term and B/L a Coulomb-like term, but the three constants are
 * empirical: with few points A may come out negative (CsPbI3, FAPbBr3); the curve is only used
 * inside the size range of its data (and above it, where it tends to E_inf).
 */
import { InvalidInputError } from '../core/errors.js';
import { fit } from '../fit/index.js';
import type { FitStatus, Model } from '../fit/types.js';
import { HC_EV_NM } from './constants.js';
import type { Citation, SizingDataset, SizingRow } from './literature.js';
import { quadraticForm, studentTQuantile } from './stats.js';
import type { Material } from './table.js';
import { finiteArray, requireNonNegative, requirePositive } from './validate.js';

/** Parameter names of the sizing curve, in covariance order. */
export const SIZING_PARAMS = ['eInfEv', 'aEvNm2', 'bEvNm'] as const;
export type SizingParamName = (typeof SIZING_PARAMS)[number];

/** A fitted value with its standard error (`null` when not estimable). */
export interface Estimate {
  value: number;
  stderr: number | null;
}

/** One fit point: edge length and PL peak. */
export interface SizingPoint {
  edgeNm: number;
  peakNm: number;
  /** Standard deviation of the peak energy in eV, if known (all points or none). */
  peakEvSigma?: number;
}

/** A fitted sizing curve: plain JSON data. */
export interface SizingCurve {
  material: string;
  form: 'E(L) = E_inf + A/L^2 + B/L';
  /** E_inf in eV, A in eV nm^2, B in eV nm. */
  params: Record<SizingParamName, Estimate>;
  /** Covariance of [eInfEv, aEvNm2, bEvNm] (zero rows/columns for fixed parameters); `null` if singular. */
  covariance: number[][] | null;
  nData: number;
  dof: number;
  chi2: number;
  reducedChi2: number;
  /** Root-mean-square residual of the fit in eV. */
  residualRmsEv: number;
  /** Size range of the data in nm: predictions below it are refused, above it flagged `extrapolated`. */
  edgeRangeNm: [number, number];
  /** The points fitted. */
  points: Array<{ edgeNm: number; peakNm: number; peakEv: number }>;
  /** True if the points carried sigmas (covariance absolute); false: covariance scaled by reduced chi-square. */
  weighted: boolean;
  fitStatus: FitStatus;
  citation: Citation | null;
  /** How the points were made and fitted. */
  method: string;
}

/**
 * The sizing-curve model for the fit engine: E = eInfEv + aEvNm2 / L^2 + bEvNm / L, with x = L in nm
 * and an analytic Jacobian.
 * @example
 * const out = new Float64Array(1);
 * sizingModel.evaluate(new Float64Array([2.36, 2.2, 0.4]), new Float64Array([4]), out); // out[0] = 2.6975
 */
export const sizingModel: Model = {
  params: SIZING_PARAMS,
  evaluate(p, x, out) {
    const e0 = p[0]!;
    const a = p[1]!;
    const b = p[2]!;
    for (let i = 0; i < x.length; i++) {
      const inv = 1 / x[i]!;
      out[i] = e0 + a * inv * inv + b * inv;
    }
  },
  jacobian(_p, x, jac) {
    for (let i = 0; i < x.length; i++) {
      const inv = 1 / x[i]!;
      jac[i * 3] = 1;
      jac[i * 3 + 1] = inv * inv;
      jac[i * 3 + 2] = inv;
    }
  },
};

/**
 * Fit points from table rows: (midpoint of the size range, midpoint of the peak range).
 * @example
 * sizingPointsFromRows(TABLE1_CSPBBR3.rows)[0]; // { edgeNm: 3.6, peakNm: 469.5 }
 */
export function sizingPointsFromRows(rows: readonly SizingRow[]): SizingPoint[] {
  return rows.map((r) => ({
    edgeNm: (r.edgeNm[0] + r.edgeNm[1]) / 2,
    peakNm: (r.peakNm[0] + r.peakNm[1]) / 2,
  }));
}

/** Linear least squares for the three (linear) curve constants: used only as the fit's start values. */
function linearStart(L: Float64Array, E: Float64Array): [number, number, number] {
  const n = L.length;
  const ata = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  const atb = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const row = [1, 1 / (L[i]! * L[i]!), 1 / L[i]!];
    for (let j = 0; j < 3; j++) {
      atb[j]! += row[j]! * E[i]!;
      for (let k = 0; k < 3; k++) ata[j]![k]! += row[j]! * row[k]!;
    }
  }
  // Cramer's rule on the 3x3 normal equations (well enough conditioned for start values).
  const det = (m: number[][]) =>
    m[0]![0]! * (m[1]![1]! * m[2]![2]! - m[1]![2]! * m[2]![1]!) -
    m[0]![1]! * (m[1]![0]! * m[2]![2]! - m[1]![2]! * m[2]![0]!) +
    m[0]![2]! * (m[1]![0]! * m[2]![1]! - m[1]![1]! * m[2]![0]!);
  const d = det(ata);
  const fallback: [number, number, number] = [Math.min(...E), 1, 0.1];
  if (!Number.isFinite(d) || Math.abs(d) < 1e-300) return fallback;
  const out: number[] = [];
  for (let c = 0; c < 3; c++) {
    const m = ata.map((row, r) => row.map((v, k) => (k === c ? atb[r]! : v)));
    out.push(det(m) / d);
  }
  return out.every(Number.isFinite) ? (out as [number, number, number]) : fallback;
}

export interface FitSizingOptions {
  /** Material name stored in the curve. */
  material?: string;
  /** Hold E_inf at this value (eV) instead of fitting it (e.g. a known bulk PL energy). */
  fixedEInfEv?: number;
  citation?: Citation | null;
  /** Size range the curve is valid for; default: the range of the points. */
  edgeRangeNm?: [number, number];
}

/**
 * Fit the sizing curve E(L) = E_inf + A/L^2 + B/L to size vs PL-peak points with the fit engine.
 * Without sigmas the covariance is scaled by the reduced chi-square.
 * @example
 * const curve = fitSizingCurve([{ edgeNm: 4, peakNm: 478 }, { edgeNm: 6, peakNm: 498 }, { edgeNm: 8, peakNm: 507 }, { edgeNm: 12, peakNm: 515 }]);
 * curve.params.eInfEv.value; // bulk-limit PL energy in eV
 */
export function fitSizingCurve(
  points: readonly SizingPoint[],
  options: FitSizingOptions = {},
): SizingCurve {
  if (!Array.isArray(points))
    throw new InvalidInputError('sizing points must be an array of { edgeNm, peakNm }');
  const nFree = options.fixedEInfEv === undefined ? 3 : 2;
  if (points.length < nFree + 1) {
    throw new InvalidInputError(
      `a sizing curve needs at least ${nFree + 1} points (size, peak) to fit ${nFree} constants with an uncertainty; got ${points.length}`,
    );
  }
  const L = finiteArray(
    points.map((p) => p.edgeNm),
    'edgeNm',
  );
  const lam = finiteArray(
    points.map((p) => p.peakNm),
    'peakNm',
  );
  points.forEach((p, i) => {
    requirePositive(p.edgeNm, `point ${i + 1}: edge length (edgeNm)`, 'nm');
    requirePositive(p.peakNm, `point ${i + 1}: PL peak (peakNm)`, 'nm');
  });
  if (new Set(L).size < nFree) {
    throw new InvalidInputError(
      `the sizing points need at least ${nFree} different sizes; got ${new Set(L).size}`,
    );
  }
  const E = lam.map((x) => HC_EV_NM / x);
  const sigmas = points.map((p) => p.peakEvSigma);
  const weighted = sigmas.every((s) => s !== undefined);
  if (!weighted && sigmas.some((s) => s !== undefined)) {
    throw new InvalidInputError('give peakEvSigma for all sizing points or for none');
  }
  if (weighted) sigmas.forEach((s, i) => requirePositive(s, `point ${i + 1}: peakEvSigma`, 'eV'));
  const start = linearStart(L, E);
  const params =
    options.fixedEInfEv === undefined
      ? { eInfEv: start[0], aEvNm2: start[1], bEvNm: start[2] }
      : {
          eInfEv: { value: requirePositive(options.fixedEInfEv, 'fixedEInfEv', 'eV'), fixed: true },
          aEvNm2: start[1],
          bEvNm: start[2],
        };
  const result = fit(sizingModel, L, E, params, weighted ? { sigma: sigmas as number[] } : {});
  const index = new Map(result.freeParams.map((n, i) => [n, i]));
  let covariance: number[][] | null = null;
  if (result.covariance) {
    const cov = result.covariance;
    covariance = SIZING_PARAMS.map((a) =>
      SIZING_PARAMS.map((b) => {
        const i = index.get(a);
        const j = index.get(b);
        return i === undefined || j === undefined ? 0 : cov[i]![j]!;
      }),
    );
  }
  const est = (name: SizingParamName): Estimate => ({
    value: result.params[name]!.value,
    stderr: result.params[name]!.stderr,
  });
  let ss = 0;
  for (const r of result.residuals) ss += r * r;
  const minL = Math.min(...L);
  const maxL = Math.max(...L);
  return {
    material: options.material ?? 'user data',
    form: 'E(L) = E_inf + A/L^2 + B/L',
    params: { eInfEv: est('eInfEv'), aEvNm2: est('aEvNm2'), bEvNm: est('bEvNm') },
    covariance,
    nData: result.nData,
    dof: result.dof,
    chi2: result.chi2,
    reducedChi2: result.reducedChi2,
    residualRmsEv: Math.sqrt(ss / L.length),
    edgeRangeNm: options.edgeRangeNm ? [...options.edgeRangeNm] : [minL, maxL],
    points: points.map((p, i) => ({ edgeNm: p.edgeNm, peakNm: p.peakNm, peakEv: E[i]! })),
    weighted,
    fitStatus: result.status,
    citation: options.citation ?? null,
    method: weighted
      ? 'least squares in photon energy weighted by the given peakEvSigma; covariance not rescaled'
      : 'unweighted least squares in photon energy; covariance scaled by the reduced chi-square (scatter between reports sets the uncertainty)',
  };
}

/**
 * Fit the sizing curve to a literature data set (midpoints of its size and peak ranges). The
 * curve's valid size range is the full range of the table's sizes (lowest low end to highest
 * high end).
 * @example
 * fitSizingDataset(TABLE1_CSPBBR3).params.eInfEv.value; // ~2.357 eV
 */
export function fitSizingDataset(
  dataset: SizingDataset,
  options: Omit<FitSizingOptions, 'citation'> = {},
): SizingCurve {
  const lows = dataset.rows.map((r) => r.edgeNm[0]);
  const highs = dataset.rows.map((r) => r.edgeNm[1]);
  return fitSizingCurve(sizingPointsFromRows(dataset.rows), {
    material: dataset.material,
    citation: dataset.citation,
    edgeRangeNm: [Math.min(...lows), Math.max(...highs)],
    ...options,
  });
}

const curveCache = new WeakMap<SizingDataset, SizingCurve>();

/**
 * The shipped sizing curve of a material: fitted on first use to the material's literature data
 * (002 Table 1 for CsPbBr3, CsPbI3, FAPbBr3) and cached. Throws `InvalidInputError` for a
 * material without size vs PL data.
 * @example
 * sizingCurveFor(getMaterial('CsPbBr3')).edgeRangeNm; // [3.5, 20]
 */
export function sizingCurveFor(material: Material): SizingCurve {
  const data = material.sizingData;
  if (!data) {
    throw new InvalidInputError(
      `${material.name} has no size vs PL-peak data for an empirical sizing curve; fit one to your own data with fitSizingCurve(points)`,
    );
  }
  let curve = curveCache.get(data);
  if (!curve) {
    curve = fitSizingDataset(data);
    curveCache.set(data, curve);
  }
  const copy = structuredClone(curve);
  copy.material = material.name;
  return copy;
}

/** Curve value, slope dE/dL and the gradient wrt [E_inf, A, B] at L. */
function curveAt(curve: SizingCurve, L: number): { e: number; slope: number; grad: number[] } {
  const a = curve.params.aEvNm2.value;
  const b = curve.params.bEvNm.value;
  const inv = 1 / L;
  return {
    e: curve.params.eInfEv.value + a * inv * inv + b * inv,
    slope: -2 * a * inv * inv * inv - b * inv * inv,
    grad: [1, inv * inv, inv],
  };
}

/**
 * Curve energy in eV at L (no checks): for plotting.
 * @example
 * sizingCurveEnergyEv(curve, 5); // ~2.526 for CsPbBr3
 */
export function sizingCurveEnergyEv(curve: SizingCurve, edgeNm: number): number {
  return curveAt(curve, edgeNm).e;
}

function curveStderrEv(curve: SizingCurve, grad: number[]): number | null {
  if (!curve.covariance) return null;
  const v = quadraticForm(grad, curve.covariance);
  return v >= 0 && Number.isFinite(v) ? Math.sqrt(v) : null;
}

/** Forward prediction: PL peak for an edge length. */
export interface PeakPrediction {
  edgeNm: number;
  peakEv: number;
  /** Standard error of the curve at this size (from the covariance), eV. */
  peakEvStderr: number | null;
  peakNm: number;
  peakNmStderr: number | null;
  /** Confidence band of the curve (level, default 95 %) in nm: [low, high]. */
  peakNmBand: [number, number] | null;
  peakEvBand: [number, number] | null;
  /**
   * Standard error for a new sample of this size (curve uncertainty plus the scatter of the data
   * about the curve), nm; `null` for weighted fits or when the covariance is missing.
   */
  peakNmPredictionStderr: number | null;
  level: number;
  /** Student-t quantile used for the band. */
  tQuantile: number;
  /** True above the data's size range (the curve then tends to E_inf). */
  extrapolated: boolean;
}

export interface PredictOptions {
  /** Confidence level of the band (default 0.95). */
  level?: number;
}

/**
 * PL peak (nm and eV, with standard errors and a 95 % band) predicted by a sizing curve for an
 * edge length. Sizes below the curve's data range are refused with `InvalidInputError`.
 * @example
 * predictPeak(sizingCurveFor(getMaterial('CsPbBr3')), 5).peakNm; // ~491 nm
 */
export function predictPeak(
  curve: SizingCurve,
  edgeNm: number,
  options: PredictOptions = {},
): PeakPrediction {
  requirePositive(edgeNm, 'edge length (edgeNm)', 'nm');
  const level = options.level ?? 0.95;
  if (!(level > 0 && level < 1))
    throw new InvalidInputError(`confidence level must be between 0 and 1, got ${level}`);
  const [lo, hi] = curve.edgeRangeNm;
  if (edgeNm < lo) {
    throw new InvalidInputError(
      `edge length ${edgeNm} nm is below the smallest size (${lo} nm) in the data behind the ${curve.material} sizing curve; the curve is not valid there`,
    );
  }
  const { e, grad } = curveAt(curve, edgeNm);
  if (!(e > 0))
    throw new InvalidInputError(
      `the ${curve.material} sizing curve gives no positive energy at ${edgeNm} nm`,
    );
  const sE = curveStderrEv(curve, grad);
  const t = studentTQuantile(level, curve.dof);
  const dLdE = HC_EV_NM / (e * e);
  const peakNm = HC_EV_NM / e;
  let band: [number, number] | null = null;
  let bandEv: [number, number] | null = null;
  if (sE !== null && Number.isFinite(t)) {
    bandEv = [e - t * sE, e + t * sE];
    band = [HC_EV_NM / (e + t * sE), bandEv[0] > 0 ? HC_EV_NM / bandEv[0] : Infinity];
    if (!Number.isFinite(band[1])) band = null;
  }
  const scatterVar = curve.weighted ? null : curve.reducedChi2;
  const predictionStderr =
    sE !== null && scatterVar !== null ? Math.sqrt(sE * sE + scatterVar) * dLdE : null;
  return {
    edgeNm,
    peakEv: e,
    peakEvStderr: sE,
    peakNm,
    peakNmStderr: sE === null ? null : sE * dLdE,
    peakNmBand: band,
    peakEvBand: bandEv,
    peakNmPredictionStderr: predictionStderr,
    level,
    tQuantile: t,
    extrapolated: edgeNm > hi,
  };
}

/** Inverse prediction: edge length for a PL peak. */
export interface EdgePrediction {
  peakNm: number;
  peakEv: number;
  edgeNm: number;
  /** From the curve covariance (and the peak's own uncertainty if given), via the curve's slope. */
  edgeNmStderr: number | null;
  /**
   * Confidence band (default 95 %): the sizes at which the curve gives the peak energy ± t sigma
   * (sigma from the curve covariance and the peak's uncertainty). An end is `null` when it falls
   * outside the curve's invertible range (below the smallest size, or at/after the bulk limit).
   */
  edgeNmBand: [number | null, number | null] | null;
  /** dE/dL at the solution, eV/nm. */
  slopeEvPerNm: number;
  level: number;
  tQuantile: number;
  /** True if the size lies above the data's size range. */
  extrapolated: boolean;
}

export interface PredictEdgeOptions extends PredictOptions {
  /** Standard uncertainty of the measured peak in nm (default 0). */
  peakNmStderr?: number;
}

/** Largest size up to which the curve decreases monotonically from the smallest size, and the energy there. */
function monotoneLimit(curve: SizingCurve): { edgeNm: number; energyEv: number } {
  const a = curve.params.aEvNm2.value;
  const b = curve.params.bEvNm.value;
  const lo = curve.edgeRangeNm[0];
  // dE/dL = -(2A + B L) / L^3 vanishes at L = -2A/B.
  const turn = b !== 0 ? (-2 * a) / b : Infinity;
  if (Number.isFinite(turn) && turn > lo && curveAt(curve, lo).slope < 0) {
    return { edgeNm: turn, energyEv: curveAt(curve, turn).e };
  }
  return { edgeNm: Infinity, energyEv: curve.params.eInfEv.value };
}

/** Size on the monotonically decreasing branch where the curve equals `target` (bisection). */
function solveOnBranch(
  curve: SizingCurve,
  target: number,
  limit: { edgeNm: number; energyEv: number },
): number {
  let a = curve.edgeRangeNm[0];
  let b = Number.isFinite(limit.edgeNm) ? limit.edgeNm : a * 2;
  if (!Number.isFinite(limit.edgeNm)) {
    while (curveAt(curve, b).e > target && b < 1e9) b *= 2;
  }
  for (let i = 0; i < 200; i++) {
    const m = 0.5 * (a + b);
    if (curveAt(curve, m).e > target) a = m;
    else b = m;
    if (b - a < 1e-12 * b) break;
  }
  return 0.5 * (a + b);
}

/**
 * The range of PL peaks a sizing curve can turn into sizes: from the peak at the smallest size
 * of the data (`minPeakNm`) to the large-size limit (`limitPeakNm`, exclusive).
 * @example
 * sizingPeakRange(sizingCurveFor(getMaterial('CsPbBr3'))); // { minPeakNm: ~467.9, limitPeakNm: ~526 }
 */
export function sizingPeakRange(curve: SizingCurve): { minPeakNm: number; limitPeakNm: number } {
  const top = curveAt(curve, curve.edgeRangeNm[0]).e;
  return { minPeakNm: HC_EV_NM / top, limitPeakNm: HC_EV_NM / monotoneLimit(curve).energyEv };
}

/**
 * Edge length (with standard error and 95 % band) whose predicted PL peak is `peakNm`: the
 * inverse of the sizing curve, with the uncertainty propagated through the curve's slope and
 * covariance. Peaks bluer than the curve at its smallest size, or at/after its bulk limit, give
 * `InvalidInputError`.
 * @example
 * predictEdge(sizingCurveFor(getMaterial('CsPbBr3')), 498).edgeNm; // ~5.9 nm
 */
export function predictEdge(
  curve: SizingCurve,
  peakNm: number,
  options: PredictEdgeOptions = {},
): EdgePrediction {
  requirePositive(peakNm, 'PL peak (peakNm)', 'nm');
  const peakNmStderr = requireNonNegative(
    options.peakNmStderr ?? 0,
    'peak uncertainty (peakNmStderr)',
    'nm',
  );
  const level = options.level ?? 0.95;
  if (!(level > 0 && level < 1))
    throw new InvalidInputError(`confidence level must be between 0 and 1, got ${level}`);
  const target = HC_EV_NM / peakNm;
  const lo = curve.edgeRangeNm[0];
  const top = curveAt(curve, lo);
  const limit = monotoneLimit(curve);
  const fmt = (x: number) => x.toFixed(1);
  if (target > top.e || top.slope >= 0) {
    throw new InvalidInputError(
      `PL peak ${peakNm} nm is bluer than the ${curve.material} sizing curve reaches at its smallest size (${fmt(HC_EV_NM / top.e)} nm at ${lo} nm); no size in the curve's range gives it`,
    );
  }
  if (target <= limit.energyEv) {
    throw new InvalidInputError(
      `PL peak ${peakNm} nm is at or beyond the large-size limit of the ${curve.material} sizing curve (${fmt(HC_EV_NM / limit.energyEv)} nm, ${limit.energyEv.toFixed(4)} eV); no finite size gives it`,
    );
  }
  const L = solveOnBranch(curve, target, limit);
  const at = curveAt(curve, L);
  const sCurve = curveStderrEv(curve, at.grad);
  const sPeakEv = (HC_EV_NM / (peakNm * peakNm)) * peakNmStderr;
  const t = studentTQuantile(level, curve.dof);
  let stderr: number | null = null;
  if (sCurve !== null && at.slope !== 0) {
    stderr = Math.sqrt(sCurve * sCurve + sPeakEv * sPeakEv) / Math.abs(at.slope);
    if (!Number.isFinite(stderr)) stderr = null;
  }
  // Band: the sizes whose curve energies are target ± t sigma_E (exact through the curve, not linearised).
  let band: [number | null, number | null] | null = null;
  if (stderr !== null && Number.isFinite(t)) {
    const sE = Math.sqrt(sCurve! * sCurve! + sPeakEv * sPeakEv);
    const inRange = (e: number) => e <= top.e && e > limit.energyEv;
    const up = target + t * sE;
    const down = target - t * sE;
    band = [
      inRange(up) ? solveOnBranch(curve, up, limit) : null,
      inRange(down) ? solveOnBranch(curve, down, limit) : null,
    ];
  }
  return {
    peakNm,
    peakEv: target,
    edgeNm: L,
    edgeNmStderr: stderr,
    edgeNmBand: band,
    slopeEvPerNm: at.slope,
    level,
    tQuantile: t,
    extrapolated: L > curve.edgeRangeNm[1],
  };
}

/** One row of the check of a sizing curve against its literature table. */
export interface SizingCheckRow {
  edgeNm: [number, number];
  reportedPeakNm: [number, number];
  predictedPeakNm: number;
  /** Half-width of the curve's band at the row's mid size, nm. */
  bandHalfWidthNm: number;
  /** Reported range widened by the band. */
  acceptedNm: [number, number];
  withinBand: boolean;
}

/**
 * Check a curve against table rows: the peak predicted at each row's mid size must lie within the
 * row's reported range widened by the curve's band (default 95 %).
 * @example
 * checkSizingCurve(sizingCurveFor(getMaterial('CsPbBr3')), TABLE1_CSPBBR3.rows).every((r) => r.withinBand);
 */
export function checkSizingCurve(
  curve: SizingCurve,
  rows: readonly SizingRow[],
  options: PredictOptions = {},
): SizingCheckRow[] {
  return rows.map((r) => {
    const mid = (r.edgeNm[0] + r.edgeNm[1]) / 2;
    const p = predictPeak(curve, mid, options);
    const half = p.peakNmBand ? (p.peakNmBand[1] - p.peakNmBand[0]) / 2 : 0;
    const accepted: [number, number] = [r.peakNm[0] - half, r.peakNm[1] + half];
    return {
      edgeNm: [...r.edgeNm],
      reportedPeakNm: [...r.peakNm],
      predictedPeakNm: p.peakNm,
      bandHalfWidthNm: half,
      acceptedNm: accepted,
      withinBand: p.peakNm >= accepted[0] && p.peakNm <= accepted[1],
    };
  });
}
