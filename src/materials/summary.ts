/**
 * One-call summaries used by the CLI (`nanolum material`, `nanolum size`) and the web app: a
 * material's parameters and, for a size and temperature, its regime, predicted PL peak,
 * confinement energy, bright-dark splitting and bright fraction; and the size for a PL peak.
 * Results are plain JSON with units in the key names; `null` (never NaN) where a value cannot be
 * given, with the reason in `notes`.
 */
import { InvalidInputError } from '../core/errors.js';
import { BOLTZMANN_EV_PER_K, HC_EV_NM } from './constants.js';
import {
  confinementRegime,
  cubeConfinementEnergy,
  effectiveMassParameters,
  hydrogenicBindingMeV,
  materialBohrDiameter,
  type ConfinementRegime,
} from './confinement.js';
import { brightFraction, predictSplitting, splittingLawFor } from './fine-structure.js';
import { predictEdge, predictPeak, sizingCurveFor, sizingPeakRange } from './sizing.js';
import {
  parameterRows,
  resolveMaterial,
  type Material,
  type MaterialLookupOptions,
  type ParameterRow,
} from './table.js';
import { requireNonNegative, requirePositive } from './validate.js';

/** What `materialSummary` returns. */
export interface MaterialSummary {
  material: string;
  description: string;
  parameters: ParameterRow[];
  bohrDiameterNm: number | null;
  /** `table` or `computed` (from mu and eps), `null` if neither is possible. */
  bohrDiameterOrigin: 'table' | 'computed' | null;
  excitonBindingMeV: number | null;
  /** Ry* = 13.606 eV mu / eps^2, for comparison with the listed binding energy. */
  hydrogenicBindingMeV: number | null;
  edgeNm: number | null;
  regime: ConfinementRegime | null;
  /** L / 2a0. */
  sizeToBohrRatio: number | null;
  /** Empirical sizing curve (002 Table 1 fit). */
  peakNm: number | null;
  peakNmStderr: number | null;
  peakNm95Low: number | null;
  peakNm95High: number | null;
  peakEv: number | null;
  peakEvStderr: number | null;
  /** True when the size is above the sizing data's range. */
  peakExtrapolated: boolean | null;
  /** Parabolic cube model E - E_g (kinetic minus Coulomb), meV. */
  confinementEnergyMeV: number | null;
  /** Peak of the parabolic cube model, nm (overestimates the shift of small crystals). */
  parabolicPeakNm: number | null;
  brightDarkSplittingMeV: number | null;
  brightDarkSplittingMeVStderr: number | null;
  temperatureK: number | null;
  thermalEnergyMeV: number | null;
  /** Thermal occupation of the bright triplet, 3 exp(-D/kT) / (1 + 3 exp(-D/kT)). */
  brightFraction: number | null;
  /** Why values are null, and caveats. */
  notes: string[];
}

export interface MaterialSummaryOptions extends MaterialLookupOptions {
  edgeNm?: number;
  temperatureK?: number;
}

function tryOrNote<T>(notes: string[], f: () => T): T | null {
  try {
    return f();
  } catch (e) {
    notes.push(e instanceof Error ? e.message : String(e));
    return null;
  }
}

/**
 * Parameters of a material and, for an edge length and temperature, everything the models say.
 * Bad inputs (unknown material, non-positive size, a size below the sizing data) throw a typed
 * error; missing data give `null` with a note.
 * @example
 * const s = materialSummary('CsPbBr3', { edgeNm: 5, temperatureK: 10 });
 * s.regime; // 'strong'
 * s.peakNm; // ~491
 */
export function materialSummary(
  material: Material | string,
  options: MaterialSummaryOptions = {},
): MaterialSummary {
  const m = resolveMaterial(material, options);
  const notes: string[] = [...m.notes];
  const edge =
    options.edgeNm === undefined
      ? null
      : requirePositive(options.edgeNm, 'edge length (--edge-nm)', 'nm');
  const T =
    options.temperatureK === undefined
      ? null
      : requireNonNegative(options.temperatureK, 'temperature (--temperature-k)', 'K');
  const bohr = tryOrNote(notes, () => materialBohrDiameter(m));
  const mu = m.parameters.reducedMass?.value;
  const eps = m.parameters.dielectricConstant?.value;
  const out: MaterialSummary = {
    material: m.name,
    description: m.description,
    parameters: parameterRows(m),
    bohrDiameterNm: bohr?.bohrDiameterNm ?? null,
    bohrDiameterOrigin: bohr?.origin ?? null,
    excitonBindingMeV: m.parameters.excitonBindingMeV?.value ?? null,
    hydrogenicBindingMeV:
      mu !== undefined && eps !== undefined ? hydrogenicBindingMeV(mu, eps) : null,
    edgeNm: edge,
    regime: null,
    sizeToBohrRatio: null,
    peakNm: null,
    peakNmStderr: null,
    peakNm95Low: null,
    peakNm95High: null,
    peakEv: null,
    peakEvStderr: null,
    peakExtrapolated: null,
    confinementEnergyMeV: null,
    parabolicPeakNm: null,
    brightDarkSplittingMeV: null,
    brightDarkSplittingMeVStderr: null,
    temperatureK: T,
    thermalEnergyMeV: T === null ? null : T * BOLTZMANN_EV_PER_K * 1000,
    brightFraction: null,
    notes,
  };
  if (edge !== null) {
    if (bohr) {
      const r = confinementRegime(edge, bohr.bohrDiameterNm);
      out.regime = r.regime;
      out.sizeToBohrRatio = r.sizeToBohrRatio;
    }
    if (m.sizingData) {
      // Out of range sizes are an input error, not a missing value.
      const p = predictPeak(sizingCurveFor(m), edge);
      out.peakNm = p.peakNm;
      out.peakNmStderr = p.peakNmStderr;
      out.peakNm95Low = p.peakNmBand?.[0] ?? null;
      out.peakNm95High = p.peakNmBand?.[1] ?? null;
      out.peakEv = p.peakEv;
      out.peakEvStderr = p.peakEvStderr;
      out.peakExtrapolated = p.extrapolated;
      if (p.extrapolated)
        notes.push(
          `${edge} nm is above the largest size of the sizing data; the peak is extrapolated towards the curve's bulk limit`,
        );
    } else {
      notes.push(
        `${m.name} has no size vs PL-peak data, so no empirical peak prediction (only the parabolic model)`,
      );
    }
    const em = tryOrNote(notes, () => cubeConfinementEnergy(effectiveMassParameters(m), edge));
    if (em) {
      out.confinementEnergyMeV = em.confinementEv * 1000;
      out.parabolicPeakNm = HC_EV_NM / em.energyEv;
    }
    const law = splittingLawFor(m);
    if (law) {
      const s = predictSplitting(law, edge);
      out.brightDarkSplittingMeV = s.brightDarkSplittingMeV;
      out.brightDarkSplittingMeVStderr = s.brightDarkSplittingMeVStderr;
      if (s.extrapolated)
        notes.push(
          `${edge} nm is outside the 5-14 nm range of the splitting data (004); the splitting is extrapolated`,
        );
    } else {
      notes.push(
        `no bright-dark splitting data for ${m.name} (the project has 004's CsPbBr3 values only)`,
      );
    }
  }
  if (T !== null) {
    if (out.brightDarkSplittingMeV !== null)
      out.brightFraction = brightFraction(out.brightDarkSplittingMeV, T);
    else if (edge === null)
      notes.push('the bright fraction needs a size (--edge-nm) for the splitting');
  }
  return out;
}

/** What `sizeFromPeak` returns. */
export interface SizeFromPeak {
  material: string;
  peakNm: number;
  peakEv: number;
  /** Uncertainty of the measured peak that was included, nm. */
  peakNmStderr: number;
  edgeNm: number;
  edgeNmStderr: number | null;
  /** 95 % band of the size; an end is null when it runs outside the curve's range (see `curveMinPeakNm`, `curveLimitPeakNm`). */
  edgeNm95Low: number | null;
  edgeNm95High: number | null;
  regime: ConfinementRegime | null;
  sizeToBohrRatio: number | null;
  extrapolated: boolean;
  /** Peaks the curve can invert: from `curveMinPeakNm` (smallest size) up to `curveLimitPeakNm` (bulk limit, exclusive). */
  curveMinPeakNm: number;
  curveLimitPeakNm: number;
  curveEdgeRangeNm: [number, number];
  /** The table's bulk band gap as a wavelength (nm): redder peaks are refused; `null` if unknown. */
  bulkGapNm: number | null;
  notes: string[];
}

/**
 * Edge length of a material's nanocrystals from their PL peak (inverse sizing curve), with
 * uncertainty from the curve covariance and the peak's own uncertainty. Peaks below the table's
 * bulk band gap, bluer than the curve at its smallest size, or at/after the curve's large-size
 * limit throw `InvalidInputError`.
 * @example
 * sizeFromPeak('CsPbBr3', 498).edgeNm; // ~5.9
 */
export function sizeFromPeak(
  material: Material | string,
  peakNm: number,
  options: MaterialLookupOptions & { peakNmStderr?: number } = {},
): SizeFromPeak {
  const m = resolveMaterial(material, options);
  const curve = sizingCurveFor(m);
  requirePositive(peakNm, 'PL peak (--peak-nm)', 'nm');
  const gap = m.parameters.bandGapEv;
  if (gap && HC_EV_NM / peakNm < gap.value) {
    throw new InvalidInputError(
      `PL peak ${peakNm} nm (${(HC_EV_NM / peakNm).toFixed(4)} eV) is below the bulk band gap of ${m.name} (${gap.value} eV, ${(HC_EV_NM / gap.value).toFixed(1)} nm): no nanocrystal emits there`,
    );
  }
  const e = predictEdge(curve, peakNm, { peakNmStderr: options.peakNmStderr ?? 0 });
  const notes: string[] = [];
  const bohr = tryOrNote(notes, () => materialBohrDiameter(m));
  const regime = bohr ? confinementRegime(e.edgeNm, bohr.bohrDiameterNm) : null;
  if (e.extrapolated)
    notes.push(
      `the size is above the largest size (${curve.edgeRangeNm[1]} nm) of the sizing data; extrapolated`,
    );
  const range = sizingPeakRange(curve);
  return {
    material: m.name,
    peakNm: e.peakNm,
    peakEv: e.peakEv,
    peakNmStderr: options.peakNmStderr ?? 0,
    edgeNm: e.edgeNm,
    edgeNmStderr: e.edgeNmStderr,
    edgeNm95Low: e.edgeNmBand?.[0] ?? null,
    edgeNm95High: e.edgeNmBand?.[1] ?? null,
    regime: regime?.regime ?? null,
    sizeToBohrRatio: regime?.sizeToBohrRatio ?? null,
    extrapolated: e.extrapolated,
    curveMinPeakNm: range.minPeakNm,
    curveLimitPeakNm: range.limitPeakNm,
    curveEdgeRangeNm: [...curve.edgeRangeNm],
    bulkGapNm: gap ? HC_EV_NM / gap.value : null,
    notes,
  };
}
