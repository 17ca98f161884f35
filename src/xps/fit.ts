/**
 * Fits of XPS core-level regions: chemical-state components as spin-orbit doublets with fixed
 * (or free) splitting and area ratio, Gaussian / Voigt / GL-product lines, on an iterative
 * Shirley or a linear background, with relative component areas (e.g. the fraction of metallic
 * Pb0 in Pb 4f, as Wang et al., paper 001, report from Gaussian deconvolutions).
 */
import { InvalidInputError } from '../core/errors.js';
import { type Quantity, formatQuantity, quantity } from '../core/quantity.js';
import { fit } from '../fit/fit.js';
import type { FitMethod, ParamSpec, ParamsInput } from '../fit/types.js';
import { type SpectrumInput, spectrumXY } from '../spectra/convert.js';
import { type FitSummary, fitSummary } from '../spectra/fit.js';
import { derivedQuantity, fitWarnings, inflateErrors } from '../spectra/propagate.js';
import { type Background, linearBackground, shirleyBackground } from './background.js';
import { type SpinOrbitDoublet, spinOrbitDoublet } from './doublets.js';
import { type XpsLineShape, xpsModel } from './model.js';

/** Starting values of one component; missing values are estimated. */
export interface XpsComponentGuess {
  /** Binding energy of the major line (eV). */
  position?: number;
  area?: number;
  fwhm?: number;
  fwhmLorentzian?: number;
  eta?: number;
  /** Name of the chemical state, e.g. `Pb2+ (lattice)`, `Pb0`. */
  label?: string;
}

/** Options of `fitXps`. */
export interface FitXpsOptions {
  /** Spin-orbit doublet by name (`Pb4f`, `Cs3d`, `Br3d`, `Au4f`, ...) or explicit; `null` for singlets (C 1s, O 1s). */
  doublet?: string | SpinOrbitDoublet | null;
  /** Number of chemical-state components, or their starting values (default 1). */
  components?: number | XpsComponentGuess[];
  /** Line shape (default `gaussian`, as paper 001). */
  shape?: XpsLineShape;
  /**
   * Background (default `shirley`): `shirley` and `linear` are fitted with the peaks (end levels
   * `bg_low`, `bg_high` free; the Shirley step follows the fitted peaks' cumulative area);
   * `shirley-fixed` / `linear-fixed` are computed from the data first (Shirley iterated to
   * convergence) and held fixed; `none`.
   */
  background?: 'shirley' | 'linear' | 'shirley-fixed' | 'linear-fixed' | 'none';
  /** Axis of the input: `binding` or `kinetic` energy. Default: `kinetic` when `photonEnergyEv` is given and the axis is not named as binding energy. */
  energyScale?: 'binding' | 'kinetic';
  photonEnergyEv?: number;
  workFunctionEv?: number;
  /** Fit only binding energies in [min, max] eV. */
  range?: [number, number];
  /** Override the table values. */
  splittingEv?: number;
  areaRatio?: number;
  /** Fit the splitting / area ratio instead of fixing them (default false). */
  freeSplitting?: boolean;
  freeRatio?: boolean;
  /** `least-squares` with sigma = sqrt(counts) (default) or `poisson` maximum likelihood. */
  method?: FitMethod;
  /** Mixing of the `gl-product` shape (default 0.3, "GL(30)"). */
  glMix?: number;
  /** Points averaged at each end for the background (default 5). */
  endPoints?: number;
  /** Extra engine settings by parameter name. */
  params?: ParamsInput;
  /** Multiply standard errors by sqrt(reduced chi-square) when it exceeds 1 (default false). */
  scaleErrors?: boolean;
}

/** One fitted chemical-state component. */
export interface XpsComponent {
  label: string;
  /** Binding energy of the major line (j = l + 1/2), eV. */
  position: Quantity;
  /** Binding energy of the minor line (null for singlets). */
  minorPosition: Quantity | null;
  /** FWHM of each line (for Voigt the total from its Gaussian and Lorentzian parts). */
  fwhm: Quantity;
  fwhmGaussian?: Quantity;
  fwhmLorentzian?: Quantity;
  eta?: Quantity;
  /** Area of the whole doublet (major + minor). */
  area: Quantity;
  /** Area of the major line alone. */
  majorArea: Quantity;
  /** Fraction of the summed area of all components (0..1). */
  relativeArea: Quantity;
  /** Kinetic energy of the major line, when the input was on a kinetic scale. */
  kineticEnergy?: Quantity;
}

/** Result of `fitXps`. */
export interface XpsFitResult {
  analysis: 'xps-fit';
  shape: XpsLineShape;
  doublet:
    | (Omit<SpinOrbitDoublet, 'splittingEv' | 'areaRatio'> & {
        name: string;
        splitting: Quantity;
        areaRatio: Quantity;
        splittingFixed: boolean;
        ratioFixed: boolean;
      })
    | null;
  background: {
    kind: 'shirley' | 'linear' | 'none';
    /** True if the end levels were fitted with the peaks. */
    fitted: boolean;
    /** Background at the low / high binding-energy ends. */
    low: Quantity;
    high: Quantity;
    /** Iterations of the data-derived Shirley background (fixed kind, or the starting values of the fitted one). */
    iterations: number;
  };
  energyScale: {
    input: 'binding' | 'kinetic';
    photonEnergyEv: number | null;
    workFunctionEv: number;
  };
  components: XpsComponent[];
  fit: FitSummary;
  /** Things to check before trusting the numbers. */
  warnings: string[];
  curves: {
    bindingEnergy: number[];
    counts: number[];
    best: number[];
    residuals: number[];
    background: number[];
    components: { label: string; major: number[]; minor: number[] }[];
  };
}

function resolveDoublet(d: FitXpsOptions['doublet']): { name: string; d: SpinOrbitDoublet } | null {
  if (d === null) return null;
  if (d === undefined) return null;
  if (typeof d === 'string') return { name: d.replace(/\s+/g, ''), d: spinOrbitDoublet(d) };
  return { name: `${d.element}${d.major.replace(/\d\/\d$/, '')}`, d };
}

/**
 * Fit an XPS core-level region. The background (Shirley by default) is computed from the data
 * first (iterated to convergence) and held fixed; components are fitted on top of it with
 * sigma = sqrt(counts). Components are returned in order of binding energy with relative areas.
 *
 * @example
 * const r = fitXps(spectrum, { doublet: 'Au4f', photonEnergyEv: 180, shape: 'voigt' });
 * r.components[0].position; // { value: 84.0, stderr: 0.002, unit: 'eV' } with the right work function
 */
export function fitXps(spectrum: SpectrumInput, options: FitXpsOptions = {}): XpsFitResult {
  const s = spectrumXY(spectrum, 'XPS spectrum');
  const hv = options.photonEnergyEv ?? null;
  const phi = options.workFunctionEv ?? 0;
  const namedBinding = /bind/i.test(s.xName);
  const scale = options.energyScale ?? (hv !== null && !namedBinding ? 'kinetic' : 'binding');
  if (scale === 'kinetic' && hv === null) {
    throw new InvalidInputError(
      'the spectrum is on a kinetic-energy scale: give photonEnergyEv (and workFunctionEv) to convert to binding energy',
    );
  }
  let be: Float64Array;
  let counts: Float64Array;
  const n0 = s.x.length;
  if (scale === 'kinetic') {
    be = Float64Array.from({ length: n0 }, (_, i) => hv! - s.x[n0 - 1 - i] - phi);
    counts = Float64Array.from({ length: n0 }, (_, i) => s.y[n0 - 1 - i]);
  } else {
    be = s.x;
    counts = s.y;
  }
  if (options.range) {
    const [a, b] = [Math.min(...options.range), Math.max(...options.range)];
    const keep: number[] = [];
    for (let i = 0; i < be.length; i++) if (be[i] >= a && be[i] <= b) keep.push(i);
    if (keep.length < 15)
      throw new InvalidInputError(
        `range [${a}, ${b}] eV holds ${keep.length} points; at least 15 are needed`,
      );
    const b0 = be;
    const c0 = counts;
    be = Float64Array.from(keep, (i) => b0[i]);
    counts = Float64Array.from(keep, (i) => c0[i]);
  }
  const n = be.length;
  const shape = options.shape ?? 'gaussian';
  const dbl = resolveDoublet(options.doublet);
  const bgKind = options.background ?? 'shirley';
  const known = ['shirley', 'linear', 'shirley-fixed', 'linear-fixed', 'none'];
  if (!known.includes(bgKind))
    throw new InvalidInputError(`unknown background "${bgKind}"; known: ${known.join(', ')}`);
  const bgOpts = { endPoints: options.endPoints };
  const bg: Background =
    bgKind === 'shirley' || bgKind === 'shirley-fixed'
      ? shirleyBackground(be, counts, bgOpts)
      : bgKind === 'linear' || bgKind === 'linear-fixed'
        ? linearBackground(be, counts, bgOpts)
        : {
            values: new Float64Array(n),
            kind: 'linear',
            lowEndIntensity: 0,
            highEndIntensity: 0,
            iterations: 0,
            converged: true,
          };
  if (bg.kind === 'shirley' && !bg.converged) {
    throw new InvalidInputError(
      `the Shirley background did not converge in ${bg.iterations} iterations; check the range and end points`,
    );
  }
  const fittedBg = bgKind === 'shirley' || bgKind === 'linear' ? bgKind : null;
  const guesses: XpsComponentGuess[] =
    typeof options.components === 'number' || options.components === undefined
      ? Array.from({ length: options.components ?? 1 }, () => ({}))
      : options.components;
  const nc = guesses.length;
  if (nc < 1) throw new InvalidInputError('at least one component is needed');
  if (nc > 1 && guesses.some((g) => g.position === undefined)) {
    throw new InvalidInputError(
      `with ${nc} components give each a starting position (binding energy of its ${dbl ? dbl.d.major : 'line'}), e.g. components: [{ position: 138.2, label: 'Pb2+' }, { position: 137.0, label: 'Pb0' }]`,
    );
  }
  const model = xpsModel({
    shape,
    nComponents: nc,
    doublet: dbl !== null,
    background: fittedBg ?? bg.values,
    glMix: options.glMix,
  });
  // starting values from the background-subtracted data
  const net = Float64Array.from(counts, (c, i) => c - bg.values[i]);
  let imax = 0;
  for (let i = 1; i < n; i++) if (net[i] > net[imax]) imax = i;
  const span = be[n - 1] - be[0];
  let dx = Infinity;
  for (let i = 1; i < n; i++) dx = Math.min(dx, be[i] - be[i - 1]);
  let total = 0;
  for (let i = 1; i < n; i++) total += 0.5 * (be[i] - be[i - 1]) * (net[i] + net[i - 1]);
  const split = options.splittingEv ?? dbl?.d.splittingEv ?? 0;
  const ratio = options.areaRatio ?? dbl?.d.areaRatio ?? 0;
  if (dbl && !(split > 0))
    throw new InvalidInputError(`splittingEv must be positive, got ${split}`);
  if (dbl && !(ratio > 0)) throw new InvalidInputError(`areaRatio must be positive, got ${ratio}`);
  // width at half maximum of the strongest line
  let l = imax;
  while (l > 0 && net[l] > net[imax] / 2) l--;
  let r = imax;
  while (r < n - 1 && net[r] > net[imax] / 2) r++;
  const fwGuess = Math.max(be[r] - be[l], 3 * dx);
  const params: Record<string, number | ParamSpec> = {};
  // share the net area among components in proportion to the net counts at their positions
  const netAt = (e: number): number => {
    let j = 0;
    while (j < n - 1 && be[j + 1] < e) j++;
    return Math.max(net[Math.min(j, n - 1)], 1e-9 * Math.max(net[imax], 1));
  };
  const weights = guesses.map((g) => netAt(g.position ?? be[imax]));
  const wsum = weights.reduce((a, b) => a + b, 0);
  const baseWidth = Math.min(nc > 1 ? fwGuess / Math.sqrt(nc) : fwGuess, span / 2);
  guesses.forEach((g, k) => {
    const names = model.componentParams[k];
    const pos = g.position ?? be[imax];
    const fw = g.fwhm ?? baseWidth;
    const area = g.area ?? (Math.max(total, 1) * (weights[k] / wsum)) / (1 + (dbl ? ratio : 0));
    params[names[0]] = { value: pos, min: be[0] - 0.05 * span, max: be[n - 1] + 0.05 * span };
    params[names[1]] = { value: area, min: 0 };
    params[names[2]] = { value: shape === 'voigt' ? 0.8 * fw : fw, min: 0.5 * dx, max: span };
    if (shape === 'voigt')
      params[names[3]] = { value: g.fwhmLorentzian ?? 0.3 * fw, min: 0, max: span };
    if (shape === 'pseudo-voigt') params[names[3]] = { value: g.eta ?? 0.3, min: 0, max: 1 };
  });
  if (fittedBg) {
    params.bg_low = bg.lowEndIntensity;
    params.bg_high = bg.highEndIntensity;
  }
  if (dbl) {
    params.splitting = options.freeSplitting
      ? { value: split, min: 0.3 * split, max: 3 * split }
      : { value: split, fixed: true };
    params.ratio = options.freeRatio
      ? { value: ratio, min: 0.05, max: 2 }
      : { value: ratio, fixed: true };
  }
  if (options.params) {
    for (const [key, v] of Object.entries(options.params)) {
      if (!model.params.includes(key))
        throw new InvalidInputError(
          `unknown parameter "${key}"; the model's parameters are ${model.params.join(', ')}`,
        );
      const prev = params[key];
      params[key] =
        typeof v === 'number'
          ? typeof prev === 'object'
            ? { ...prev, value: v }
            : v
          : { ...(typeof prev === 'object' ? prev : {}), ...v };
    }
  }
  const method = options.method ?? 'least-squares';
  const sigma =
    method === 'least-squares'
      ? Float64Array.from(counts, (c) => Math.sqrt(Math.max(c, 1)))
      : undefined;
  // several components can settle in a local minimum (one broad line swallowing a shoulder):
  // with more than one component, also start from narrower and wider lines and keep the best
  const starts = nc > 1 ? [1, 0.6, 1.5] : [1];
  let rawFit = fit(model, be, counts, params, { method, sigma });
  for (const f of starts.slice(1)) {
    const alt: Record<string, number | ParamSpec> = { ...params };
    guesses.forEach((g, k) => {
      const wName = model.componentParams[k][2];
      const spec = alt[wName] as ParamSpec;
      if (g.fwhm === undefined && !spec.fixed && options.params?.[wName] === undefined) {
        alt[wName] = {
          ...spec,
          value: Math.min(
            Math.max(spec.value * f, (spec.min ?? 0) * 1.01),
            (spec.max ?? Infinity) * 0.99,
          ),
        };
      }
    });
    const trial = fit(model, be, counts, alt, { method, sigma });
    if (trial.deviance < rawFit.deviance - 1e-9 * Math.abs(rawFit.deviance)) rawFit = trial;
  }
  const warnings = fitWarnings(rawFit, true);
  const res = options.scaleErrors ? inflateErrors(rawFit) : rawFit;
  const val = (name: string, unit: string): Quantity =>
    quantity(res.params[name].value, unit, res.params[name].stderr);
  const vec = (p: Record<string, number>, k: number): number[] =>
    model.componentParams[k].map((nm) => p[nm]);
  const totalArea = (p: Record<string, number>): number => {
    let t = 0;
    for (let k = 0; k < nc; k++) t += p[model.componentParams[k][1]] * (1 + (dbl ? p.ratio : 0));
    return t;
  };
  const comps: XpsComponent[] = guesses.map((g, k) => {
    const names = model.componentParams[k];
    const a = derivedQuantity(res, (p) => p[names[1]] * (1 + (dbl ? p.ratio : 0)));
    const rel = derivedQuantity(
      res,
      (p) => (p[names[1]] * (1 + (dbl ? p.ratio : 0))) / totalArea(p),
    );
    const fw = derivedQuantity(res, (p) => model.line.fwhm(vec(p, k), 0));
    const minor = dbl ? derivedQuantity(res, (p) => p[names[0]] + p.splitting) : null;
    const c: XpsComponent = {
      label: g.label ?? `component ${k + 1}`,
      position: val(names[0], 'eV'),
      minorPosition: minor ? quantity(minor.value, 'eV', minor.stderr) : null,
      fwhm: quantity(fw.value, 'eV', fw.stderr),
      area: quantity(a.value, 'counts·eV', a.stderr),
      majorArea: val(names[1], 'counts·eV'),
      relativeArea: quantity(rel.value, '', rel.stderr),
    };
    if (shape === 'voigt') {
      c.fwhmGaussian = val(names[2], 'eV');
      c.fwhmLorentzian = val(names[3], 'eV');
    }
    if (shape === 'pseudo-voigt') c.eta = val(names[3], '');
    if (scale === 'kinetic')
      c.kineticEnergy = quantity(hv! - phi - c.position.value, 'eV', c.position.stderr);
    return c;
  });
  const order = comps
    .map((_, i) => i)
    .sort((i, j) => comps[i].position.value - comps[j].position.value);
  const pbest = Float64Array.from(model.params, (nm) => res.params[nm].value);
  const { parts, background: bgBest } = model.components(pbest, be);
  const bgInfo: XpsFitResult['background'] = {
    kind: bgKind === 'none' ? 'none' : bg.kind,
    fitted: fittedBg !== null,
    low: fittedBg ? val('bg_low', 'counts') : quantity(bg.lowEndIntensity, 'counts', null),
    high: fittedBg ? val('bg_high', 'counts') : quantity(bg.highEndIntensity, 'counts', null),
    iterations: bg.iterations,
  };
  return {
    analysis: 'xps-fit',
    shape,
    doublet: dbl
      ? {
          name: dbl.name,
          element: dbl.d.element,
          major: dbl.d.major,
          minor: dbl.d.minor,
          typicalBindingEnergyEv: dbl.d.typicalBindingEnergyEv,
          source: dbl.d.source,
          splitting: val('splitting', 'eV'),
          areaRatio: val('ratio', ''),
          splittingFixed: !options.freeSplitting,
          ratioFixed: !options.freeRatio,
        }
      : null,
    background: bgInfo,
    energyScale: { input: scale, photonEnergyEv: hv, workFunctionEv: phi },
    components: order.map((i) => comps[i]),
    fit: fitSummary(res),
    warnings,
    curves: {
      bindingEnergy: Array.from(be),
      counts: Array.from(counts),
      best: Array.from(res.best),
      residuals: Array.from(res.residuals),
      background: Array.from(bgBest),
      components: order.map((i) => ({
        label: comps[i].label,
        major: Array.from(parts[i].major),
        minor: Array.from(parts[i].minor),
      })),
    },
  };
}

/**
 * A short text report of an XPS fit.
 *
 * @example
 * console.log(xpsFitReport(fitXps(spectrum, { doublet: 'Pb4f', components: [...] })));
 */
export function xpsFitReport(r: XpsFitResult): string {
  const head = r.doublet
    ? `${r.doublet.name} doublet (${r.doublet.major}/${r.doublet.minor}), splitting ${formatQuantity(r.doublet.splitting)}${r.doublet.splittingFixed ? ' (fixed)' : ''}, area ratio ${formatQuantity(r.doublet.areaRatio)}${r.doublet.ratioFixed ? ' (fixed)' : ''}`
    : 'singlet lines';
  const lines = [
    `${head}; ${r.shape} lines on a ${r.background.fitted ? 'fitted ' : ''}${r.background.kind} background (${formatQuantity(r.background.low)} to ${formatQuantity(r.background.high)}); ${r.fit.status}, reduced chi2 ${r.fit.reducedChi2.toPrecision(4)}`,
  ];
  if (r.energyScale.input === 'kinetic') {
    lines.push(
      `binding energy = ${r.energyScale.photonEnergyEv} eV - kinetic energy - ${r.energyScale.workFunctionEv} eV (work function)`,
    );
  }
  for (const c of r.components) {
    lines.push(
      `${c.label}: ${r.doublet ? r.doublet.major + ' ' : ''}${formatQuantity(c.position)}, FWHM ${formatQuantity(c.fwhm)}, area ${formatQuantity(c.area)}, relative area ${(100 * c.relativeArea.value).toFixed(1)}${c.relativeArea.stderr !== null ? ` ± ${(100 * c.relativeArea.stderr).toFixed(1)}` : ''} %`,
    );
  }
  return lines.join('\n');
}
