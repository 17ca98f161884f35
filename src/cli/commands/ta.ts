/**
 * `nanolum ta FILE [--svd] [--chirp] [--wavelengths 450,520] [--global N] ...`: transient
 * absorption analysis of a time x wavelength matrix (Glotaran ASCII or a plain matrix table):
 * SVD, chirp estimation and correction, band-averaged kinetics with multi-exponential fits,
 * and global lifetime analysis with decay-associated spectra.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { InvalidInputError } from '../../core/errors.js';
import { formatNumber, formatQuantity } from '../../core/quantity.js';
import { provenance } from '../../core/provenance.js';
import type { CalibratedArray } from '../../data/calibrated.js';
import { readGlotaranAscii } from '../../io/glotaran-ascii.js';
import { readTimeWavelengthMatrix } from '../../io/matrix.js';
import { type ChirpResult, correctChirp, estimateChirp } from '../../kinetics/ta/chirp.js';
import { type KineticFit, type LifetimeSpec, fitKinetic } from '../../kinetics/ta/fit-kinetic.js';
import { type GlobalAnalysisResult, globalLifetimeAnalysis } from '../../kinetics/ta/global.js';
import { type TaKinetic, taKinetics, taMatrixView } from '../../kinetics/ta/matrix.js';
import {
  type SvdResult,
  significantComponents,
  smoothComponents,
  svd,
} from '../../kinetics/ta/svd.js';
import type { ReportSection } from '../../report/types.js';
import type { CliContext } from '../context.js';
import { readInputFile, recordOf, writeOutputs } from '../../node/files.js';

interface TaCommandOptions {
  format: 'auto' | 'glotaran' | 'matrix';
  orientation: 'time-rows' | 'wavelength-rows';
  timeUnit?: string;
  svd?: boolean;
  chirp?: boolean;
  chirpOrder: number;
  wavelengths?: string;
  band: number;
  lifetimes?: string;
  global?: number | boolean;
  tMin?: number;
  tMax?: number;
  irfFwhm?: number;
  offset?: boolean;
  artefact?: boolean;
}

function num(option: string, integer = false) {
  return (value: string): number => {
    const v = Number(value);
    if (value.trim() === '' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
      throw new InvalidArgumentError(
        `${option}: "${value}" is not ${integer ? 'an integer' : 'a number'}`,
      );
    }
    return v;
  };
}

/** "20,300,7500f" -> lifetimes, a trailing f holds one fixed. */
function parseLifetimes(text: string): LifetimeSpec[] {
  return text
    .split(/[,;\s]+/)
    .filter((s) => s !== '')
    .map((s) => {
      const m = /^([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)(f?)$/.exec(s);
      if (!m || !(Number(m[1]) > 0))
        throw new InvalidInputError(
          `--lifetimes: "${s}" is not a positive number of ps (append f to hold it fixed, e.g. 7500f)`,
        );
      return { tauPs: Number(m[1]), ...(m[2] ? { fixed: true } : {}) };
    });
}

/**
 * Register `nanolum ta`.
 *
 * @example
 * register(program, ctx); // then: nanolum ta data.ascii --svd --chirp --global 4
 */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('ta')
    .description(
      'transient absorption: SVD, chirp correction, kinetics fits and global lifetime analysis (DAS)',
    )
    .argument('<file>', 'Glotaran "Time explicit" ASCII file or a time x wavelength matrix table')
    .addOption(
      new Option('--format <format>', 'file format')
        .choices(['auto', 'glotaran', 'matrix'])
        .default('auto'),
    )
    .addOption(
      new Option('--orientation <o>', 'matrix tables: one row per time or per wavelength')
        .choices(['time-rows', 'wavelength-rows'])
        .default('time-rows'),
    )
    .option('--time-unit <unit>', 'unit of the time axis if not ps (fs, ps, ns)')
    .option('--svd', 'singular value decomposition: singular values, smooth components, noise')
    .option(
      '--chirp',
      'estimate the chirp (time zero vs wavelength) and correct the matrix before the other analyses',
    )
    .option('--chirp-order <n>', 'order of the chirp polynomial', num('--chirp-order', true), 2)
    .option('--wavelengths <list>', 'kinetics at these wavelengths (nm), e.g. 450,520')
    .option(
      '--band <nm>',
      'average the columns within this band width around each wavelength',
      num('--band'),
      4,
    )
    .option(
      '--lifetimes <list>',
      'start lifetimes in ps for kinetics fits and global analysis; append f to fix one (e.g. 20,300,7500f)',
    )
    .option(
      '--global [n]',
      'global lifetime analysis with n lifetimes (default: the --lifetimes given, or 3)',
      num('--global', true),
    )
    .option(
      '--t-min <ps>',
      'fit only t >= this (then no IRF: exponentials start at time zero)',
      num('--t-min'),
    )
    .option('--t-max <ps>', 'fit only t <= this', num('--t-max'))
    .option('--irf-fwhm <ps>', 'start value of the Gaussian IRF FWHM', num('--irf-fwhm'))
    .option('--offset', 'add a non-decaying component to the global analysis')
    .option('--artefact', 'add a coherent-artefact (IRF-shaped) component to the global analysis')
    .addHelpText(
      'after',
      `
Without --svd, --chirp, --wavelengths or --global the command summarises the matrix and runs --svd.

Examples:
  nanolum ta glotaran_demo.ascii --svd --chirp --global 4 --t-min 0.5 --out results
  nanolum ta film.csv --wavelengths 515,540 --band 6 --lifetimes 20,300,7500f --t-min 4   (001: tau3 fixed, t > 4 ps)
  nanolum ta film.csv --global --lifetimes 1,20,500 --irf-fwhm 0.15 --json`,
    )
    .action(async (file: string, opts: TaCommandOptions, command: Command) => {
      await runTa(file, opts, command, ctx);
    });
}

function readMatrix(bytes: Uint8Array, name: string, opts: TaCommandOptions): CalibratedArray {
  const head = new TextDecoder().decode(bytes.subarray(0, 4096));
  const glotaran =
    opts.format === 'glotaran' ||
    (opts.format === 'auto' && /^\s*(time|wavelength)\s+explicit\s*$/im.test(head));
  const unitOpts = opts.timeUnit ? { timeUnit: opts.timeUnit } : {};
  return glotaran
    ? readGlotaranAscii(bytes, { fileName: name, ...unitOpts })
    : readTimeWavelengthMatrix(bytes, {
        fileName: name,
        orientation: opts.orientation,
        ...unitOpts,
      });
}

/** Time of the steepest rise of the summed |signal| (a first guess of time zero). */
function riseTime(a: CalibratedArray): number {
  const v = taMatrixView(a);
  const s = new Float64Array(v.nt);
  for (let i = 0; i < v.nt; i++)
    for (let j = 0; j < v.nw; j++) s[i] = s[i]! + Math.abs(v.data[i * v.nw + j]!);
  let best = 0;
  let bestD = -1;
  for (let i = 1; i < v.nt - 1; i++) {
    const d = (s[i + 1]! - s[i - 1]!) / (v.timesPs[i + 1]! - v.timesPs[i - 1]!);
    if (d > bestD) {
      bestD = d;
      best = i;
    }
  }
  return v.timesPs[best]!;
}

function defaultLifetimes(a: CalibratedArray, n: number, tMin: number | undefined): LifetimeSpec[] {
  const v = taMatrixView(a);
  const tEnd = v.timesPs[v.nt - 1]!;
  const steps = Array.from(v.timesPs.subarray(1), (t, i) => t - v.timesPs[i]!).filter((d) => d > 0);
  const lo = Math.max(tMin ?? 0, 3 * Math.min(...steps), tEnd * 1e-5);
  const hi = tEnd / 2;
  return Array.from({ length: n }, (_, i) => ({
    tauPs: n === 1 ? Math.sqrt(lo * hi) : lo * Math.pow(hi / lo, i / (n - 1)),
  }));
}

async function runTa(
  filePath: string,
  opts: TaCommandOptions,
  command: Command,
  ctx: CliContext,
): Promise<void> {
  const g = ctx.globals(command);
  const file = await readInputFile(filePath);
  const input = recordOf(file);
  const raw = readMatrix(file.bytes, file.name, opts);
  const view = taMatrixView(raw);
  const nothing =
    !opts.svd && !opts.chirp && opts.wavelengths === undefined && opts.global === undefined;
  const doSvd = opts.svd === true || nothing;
  const lifetimes = opts.lifetimes ? parseLifetimes(opts.lifetimes) : null;
  const lines: string[] = [];
  const json: Record<string, unknown> = {
    input,
    matrix: {
      times: view.nt,
      wavelengths: view.nw,
      timeRangePs: [view.timesPs[0], view.timesPs[view.nt - 1]],
      wavelengthRangeNm: [view.wavelengthsNm[0], view.wavelengthsNm[view.nw - 1]],
      unit: view.unit,
      format: raw.metadata.format ?? null,
    },
  };
  lines.push(
    `${file.name}: ${view.nt} times (${formatNumber(view.timesPs[0]!, 4)} to ${formatNumber(view.timesPs[view.nt - 1]!, 5)} ps) x ${view.nw} wavelengths (${formatNumber(view.wavelengthsNm[0]!, 5)}-${formatNumber(view.wavelengthsNm[view.nw - 1]!, 5)} nm)${view.unit ? `, ${view.unit}` : ''}`,
  );

  let data = raw;
  let chirp: ChirpResult | null = null;
  if (opts.chirp) {
    chirp = estimateChirp(raw, { order: opts.chirpOrder });
    data = correctChirp(raw, chirp);
    lines.push(
      `chirp (order ${opts.chirpOrder}, reference ${chirp.referenceNm} nm): t0 = ${formatQuantity(chirp.timeZeroPs)}, ` +
        chirp.coefficients.map((c, k) => `c${k + 1} = ${formatQuantity(c)}`).join(', ') +
        ` per (100 nm)^k; IRF FWHM ${formatQuantity(chirp.irfFwhmPs)}; ${chirp.points.filter((p) => p.used).length}/${chirp.points.length} bands used, rms ${formatNumber(chirp.rmsPs, 3)} ps; the matrix is corrected (time zero = 0 ps)`,
    );
    json.chirp = {
      referenceNm: chirp.referenceNm,
      timeZeroPs: chirp.timeZeroPs,
      coefficients: chirp.coefficients,
      irfFwhmPs: chirp.irfFwhmPs,
      rmsPs: chirp.rmsPs,
      points: chirp.points,
    };
  }

  let svdResult: SvdResult | null = null;
  if (doSvd) {
    const v = taMatrixView(data);
    svdResult = svd(v.data, v.nt, v.nw, { vectors: 6 });
    const gd = significantComponents(svdResult.singularValues, v.nt, v.nw);
    const smooth = smoothComponents(svdResult);
    lines.push(
      `SVD: singular values ${svdResult.singularValues
        .slice(0, 8)
        .map((x) => formatNumber(x, 4))
        .join(', ')}; ` +
        `smooth components ${smooth} (lag-1 autocorrelation of both vectors > 0.8); above the Gavish-Donoho noise threshold: ${gd.rank} (white-noise sd ${formatNumber(gd.noiseSd, 3)})`,
    );
    json.svd = {
      singularValues: svdResult.singularValues.slice(0, 20),
      smoothComponents: smooth,
      gavishDonoho: gd,
      uAutocorrelation: svdResult.uAutocorrelation,
      vAutocorrelation: svdResult.vAutocorrelation,
    };
  }

  const irfFwhm = opts.irfFwhm ?? chirp?.irfFwhmPs.value ?? 0.2;
  const useIrf = opts.tMin === undefined;
  const irfCenter = chirp ? 0 : riseTime(data);

  const kinetics: Array<{ kinetic: TaKinetic; fit: KineticFit | null }> = [];
  if (opts.wavelengths !== undefined) {
    const wls = opts.wavelengths
      .split(/[,;\s]+/)
      .filter((s) => s !== '')
      .map((s) => {
        const w = Number(s);
        if (!Number.isFinite(w))
          throw new InvalidInputError(`--wavelengths: "${s}" is not a number`);
        return w;
      });
    for (const k of taKinetics(data, { wavelengthsNm: wls, bandNm: opts.band })) {
      let fit: KineticFit | null = null;
      if (lifetimes) {
        fit = fitKinetic(k.timesPs, k.values, {
          components: lifetimes,
          ...(opts.tMin !== undefined ? { tMinPs: opts.tMin } : {}),
          ...(opts.tMax !== undefined ? { tMaxPs: opts.tMax } : {}),
          ...(useIrf ? { irf: { centerPs: irfCenter, fwhmPs: irfFwhm } } : {}),
          ...(k.sem && !k.sem.some((s) => !(s > 0)) ? { sigma: k.sem } : {}),
        });
        if (!fit.converged)
          ctx.warn(command, `the fit at ${k.wavelengthNm} nm did not converge (${fit.status})`);
        lines.push(
          `kinetics at ${k.wavelengthNm} nm (${k.columns} columns, ${formatNumber(k.bandNm[0], 5)}-${formatNumber(k.bandNm[1], 5)} nm): ` +
            fit.components
              .map(
                (c, i) =>
                  `tau${i + 1} = ${c.fixed ? `${formatNumber(c.tauPs.value)} ps (fixed)` : formatQuantity(c.tauPs)}, A${i + 1} = ${formatQuantity(c.amplitude)}`,
              )
              .join('; ') +
            `; reduced chi-square ${formatNumber(fit.reducedChi2, 4)}`,
        );
      } else {
        lines.push(
          `kinetics at ${k.wavelengthNm} nm: ${k.columns} columns averaged (give --lifetimes to fit them)`,
        );
      }
      kinetics.push({ kinetic: k, fit });
    }
    json.kinetics = kinetics.map(({ kinetic, fit }) => ({
      wavelengthNm: kinetic.wavelengthNm,
      bandNm: kinetic.bandNm,
      columns: kinetic.columns,
      fit: fit
        ? {
            model: fit.model,
            components: fit.components,
            irf: fit.irf,
            offset: fit.offset,
            meanLifetimePs: fit.meanLifetimePs,
            reducedChi2: fit.reducedChi2,
            converged: fit.converged,
            status: fit.status,
          }
        : null,
    }));
  }

  let global: GlobalAnalysisResult | null = null;
  if (opts.global !== undefined) {
    const n = typeof opts.global === 'number' ? opts.global : (lifetimes?.length ?? 3);
    if (!(n >= 1 && n <= 10))
      throw new InvalidInputError(`--global: the number of lifetimes must be 1-10, got ${n}`);
    if (lifetimes && lifetimes.length !== n)
      throw new InvalidInputError(
        `--global ${n} but --lifetimes gives ${lifetimes.length} lifetimes`,
      );
    const taus = lifetimes ?? defaultLifetimes(data, n, opts.tMin);
    global = globalLifetimeAnalysis(data, {
      lifetimesPs: taus,
      ...(useIrf ? { irf: { centerPs: irfCenter, fwhmPs: irfFwhm } } : {}),
      ...(opts.tMin !== undefined ? { tMinPs: opts.tMin } : {}),
      ...(opts.tMax !== undefined ? { tMaxPs: opts.tMax } : {}),
      offset: opts.offset === true,
      coherentArtefact: opts.artefact === true && useIrf,
      residualSvd: true,
    });
    if (!global.converged)
      ctx.warn(
        command,
        `the global analysis did not converge (${global.status}): ${global.message}`,
      );
    lines.push(
      `global analysis (${n} lifetimes${useIrf ? ', Gaussian IRF' : `, t >= ${opts.tMin} ps`}): ` +
        global.lifetimesPs
          .map(
            (q, i) =>
              `tau${i + 1} = ${global!.fixed[i] ? `${formatNumber(q.value)} ps (fixed)` : formatQuantity(q)}`,
          )
          .join(', ') +
        (global.irf
          ? `; IRF centre ${formatQuantity(global.irf.centerPs)}, FWHM ${formatQuantity(global.irf.fwhmPs)}`
          : '') +
        `; rms residual ${formatNumber(global.rmsResidual, 3)}${view.unit ? ` ${view.unit}` : ''}; ${global.iterations} iterations, ${global.status}`,
    );
    json.global = {
      lifetimesPs: global.lifetimesPs,
      fixed: global.fixed,
      irf: global.irf,
      wavelengthsNm: global.wavelengthsNm,
      das: global.das,
      rmsResidual: global.rmsResidual,
      chi2: global.chi2,
      reducedChi2: global.reducedChi2,
      nData: global.nData,
      nNonlinear: global.nNonlinear,
      nLinear: global.nLinear,
      converged: global.converged,
      status: global.status,
      message: global.message,
      freeParams: global.freeParams,
      covariance: global.covariance,
      residualSingularValues: global.residualSingularValues,
    };
  }

  json.provenance = provenance(
    'ta',
    {
      format: opts.format,
      svd: doSvd,
      chirp: opts.chirp === true ? { order: opts.chirpOrder } : null,
      wavelengths: opts.wavelengths ?? null,
      band: opts.band,
      lifetimes: lifetimes ?? null,
      global: opts.global ?? null,
      tMinPs: opts.tMin ?? null,
      tMaxPs: opts.tMax ?? null,
      irfFwhmPs: irfFwhm,
    },
    { inputs: [input] },
  );

  const written: string[] = [];
  if (g.out !== undefined) {
    const [figs, { nodeDocument, renderSvgNode }, { renderReportHtml }] = await Promise.all([
      import('../../kinetics/ta/figures.js'),
      import('../../node/svg.js'),
      import('../../report/html.js'),
    ]);
    const files: Record<string, string> = {
      'ta.json':
        JSON.stringify(
          json,
          (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
          2,
        ) + '\n',
    };
    const sections: ReportSection[] = [];
    const map = figs.taMapFigure(data, {
      timeScale: 'log',
      title: `${file.name}${chirp ? ' (chirp corrected)' : ''}`,
    });
    files['ta-map.svg'] = renderSvgNode(map);
    sections.push({
      id: 'map',
      title: 'Data',
      blocks: [
        { kind: 'figure', figure: map, caption: 'TA map, time on a log scale after time zero.' },
        { kind: 'pre', text: lines[0]! },
      ],
    });
    if (chirp) {
      const f = figs.chirpFigure(chirp);
      files['chirp.svg'] = renderSvgNode(f);
      sections.push({ id: 'chirp', title: 'Chirp', blocks: [{ kind: 'figure', figure: f }] });
    }
    if (svdResult) {
      const v = taMatrixView(data);
      const gd = significantComponents(svdResult.singularValues, v.nt, v.nw);
      const f1 = figs.svdValuesFigure(svdResult, gd.threshold);
      const f2 = figs.svdVectorsFigure(svdResult, v.wavelengthsNm, 'spectra', 3);
      files['svd.svg'] = renderSvgNode(f1);
      files['svd-spectra.svg'] = renderSvgNode(f2);
      files['svd.csv'] =
        [
          'component,singular_value',
          ...svdResult.singularValues.map((s, i) => `${i + 1},${s}`),
        ].join('\n') + '\n';
      sections.push({
        id: 'svd',
        title: 'Singular value decomposition',
        blocks: [
          { kind: 'figure', figure: f1 },
          { kind: 'figure', figure: f2 },
        ],
      });
    }
    const fitted = kinetics.filter((k) => k.fit !== null);
    if (fitted.length) {
      const f = figs.kineticsFigure(
        fitted.map((k) => ({ label: `${k.kinetic.wavelengthNm} nm`, fit: k.fit! })),
        { unit: view.unit },
      );
      files['kinetics.svg'] = renderSvgNode(f);
      const rows = ['wavelength_nm,time_ps,value,best,residual'];
      for (const k of fitted)
        k.fit!.timesPs.forEach((t, i) =>
          rows.push(
            `${k.kinetic.wavelengthNm},${t},${k.fit!.values[i]},${k.fit!.best[i]},${k.fit!.residuals[i]}`,
          ),
        );
      files['kinetics.csv'] = rows.join('\n') + '\n';
      sections.push({
        id: 'kinetics',
        title: 'Kinetics',
        blocks: [
          {
            kind: 'figure',
            figure: f,
            caption: 'Band-averaged kinetics with multi-exponential fits; residuals below.',
          },
        ],
      });
    }
    if (global) {
      const f = figs.dasFigure(global);
      files['das.svg'] = renderSvgNode(f);
      const header = [
        'wavelength_nm',
        ...global.das.flatMap((d, c) => [`das_${c + 1}`, `stderr_${c + 1}`]),
      ];
      const rows = [header.join(',')];
      global.wavelengthsNm.forEach((w, j) =>
        rows.push(
          [w, ...global!.das.flatMap((d) => [d.amplitude[j], d.stderr[j] ?? ''])].join(','),
        ),
      );
      files['das.csv'] = rows.join('\n') + '\n';
      sections.push({
        id: 'global',
        title: 'Global lifetime analysis',
        blocks: [
          {
            kind: 'figure',
            figure: f,
            caption: 'Decay-associated spectra with ± 1 standard error bands.',
          },
          {
            kind: 'table',
            columns: ['component', 'lifetime (ps)', 'stderr (ps)'],
            rows: global.lifetimesPs.map((q, i) => [global!.das[i]!.label, q.value, q.stderr]),
          },
        ],
      });
    }
    sections.push({
      id: 'summary',
      title: 'Summary',
      blocks: [{ kind: 'pre', text: lines.join('\n') }],
    });
    files['report.html'] = renderReportHtml(
      {
        title: `Transient absorption: ${file.name}`,
        provenance: json.provenance as ReturnType<typeof provenance>,
        sections,
      },
      { document: nodeDocument() },
    );
    written.push(...(await writeOutputs(g.out, files)));
  }
  if (g.json) ctx.json(json);
  else {
    ctx.out(lines.join('\n') + '\n');
    if (written.length) ctx.out(`wrote ${written.join(', ')}\n`);
  }
}
