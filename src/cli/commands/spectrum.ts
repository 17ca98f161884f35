/**
 * `nanolum spectrum FILE [--peaks N] [--shape gauss|lorentz|voigt|pvoigt|gl] [--energy]`: peak
 * position, FWHM and area of a steady-state spectrum (PL, absorption, CL) from a two-column
 * table, a multi-peak fit with uncertainties, and the CIE 1931 chromaticity of an emission
 * spectrum. With `--out DIR`: spectrum.json, spectrum-fit.csv, spectrum-fit.svg,
 * chromaticity.svg and report.html.
 *
 * JSON keys (`--json`): `input`, `x` / `y` (column, unit), `metrics` (position, height, fwhm,
 * area, centroid as {value, stderr, unit}), `fit` (the `PeakFitResult` without curves: peaks
 * with centre, fwhm, area, height, areaFraction; baselineCoefficients; fit statistics;
 * warnings), `chromaticity` ({x, y} or null when the axis is not nm/eV or has no visible light),
 * `provenance`.
 */
import { type Command, Option } from 'commander';
import { InvalidInputError } from '../../core/errors.js';
import { formatQuantity } from '../../core/quantity.js';
import { provenance } from '../../core/provenance.js';
import { column } from '../../io/table-columns.js';
import type { Table, TableColumn } from '../../io/table.js';
import type { Report } from '../../report/types.js';
import { chromaticity, type ChromaticityResult } from '../../spectra/chromaticity.js';
import { fitPeaks, peakFitReport, type PeakFitResult } from '../../spectra/fit.js';
import type { PeakShape } from '../../spectra/lineshapes.js';
import { peakMetrics, type PeakMetrics } from '../../spectra/metrics.js';
import type { BaselineSpec } from '../../spectra/model.js';
import { recordOf, writeOutputs } from '../../node/files.js';
import type { CliContext } from '../context.js';
import { loadTable } from '../input.js';

interface SpectrumCommandOptions {
  x?: string;
  y?: string;
  xUnit?: string;
  peaks: string;
  shape: string;
  baseline: string;
  energy?: boolean;
  range?: string;
  poisson?: boolean;
}

const SHAPES: Record<string, PeakShape> = {
  gauss: 'gaussian',
  gaussian: 'gaussian',
  lorentz: 'lorentzian',
  lorentzian: 'lorentzian',
  voigt: 'voigt',
  pvoigt: 'pseudo-voigt',
  'pseudo-voigt': 'pseudo-voigt',
  gl: 'gl-product',
  'gl-product': 'gl-product',
};

/**
 * Parse `--range a:b` into two ordered numbers.
 *
 * @example
 * parseRange('450:560', '--range'); // [450, 560]
 */
export function parseRange(text: string, option: string): [number, number] {
  const m = /^\s*([^:]+):([^:]+)\s*$/.exec(text);
  const a = m ? Number(m[1]) : NaN;
  const b = m ? Number(m[2]) : NaN;
  if (!Number.isFinite(a) || !Number.isFinite(b) || a === b) {
    throw new InvalidInputError(
      `${option}: "${text}" is not of the form min:max with two different numbers (e.g. ${option} 450:560)`,
    );
  }
  return [Math.min(a, b), Math.max(a, b)];
}

function parseBaseline(text: string): BaselineSpec {
  if (text === 'none' || text === 'constant' || text === 'linear') return text;
  const m = /^poly(\d+)$/.exec(text);
  if (m) return { polynomial: Number(m[1]) };
  throw new InvalidInputError(
    `--baseline: "${text}" is not none, constant, linear or polyN (e.g. poly2)`,
  );
}

function pick(table: Table, ref: string | undefined, fallback: number, what: string): TableColumn {
  if (ref === undefined) {
    if (table.columns.length < 2) {
      throw new InvalidInputError(
        `${table.metadata.fileName ?? 'the table'} has only one column; a spectrum needs x and y columns`,
      );
    }
    return table.columns[fallback];
  }
  try {
    return column(table, ref);
  } catch (e) {
    if (e instanceof InvalidInputError) throw new InvalidInputError(`--${what}: ${e.message}`);
    throw e;
  }
}

function metricsText(m: PeakMetrics): string {
  return [
    `peak position  ${formatQuantity(m.position)}`,
    `peak height    ${formatQuantity(m.height)}`,
    `FWHM           ${m.fwhm ? formatQuantity(m.fwhm) : 'not defined (a side never falls to half maximum)'}`,
    `area           ${formatQuantity(m.area)}`,
    `centroid       ${formatQuantity(m.centroid)}`,
  ].join('\n');
}

/**
 * Register `nanolum spectrum`.
 *
 * @example
 * register(program, ctx); // then: nanolum spectrum pl.csv --peaks 2 --shape voigt --energy
 */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('spectrum')
    .description(
      'peak position, FWHM, area, multi-peak fit and CIE chromaticity of a spectrum (two-column table)',
    )
    .argument('<file>', 'CSV, TSV or whitespace table: wavelength (nm) or energy (eV), intensity')
    .option('--x <column>', 'x column: name or 1-based number (default 1)')
    .option('--y <column>', 'y column: name or number (default 2)')
    .option('--x-unit <unit>', 'unit of x when the header does not give it: nm or eV (default nm)')
    .option('--peaks <n>', 'number of peaks to fit', '1')
    .addOption(
      new Option('--shape <shape>', 'line shape').choices(Object.keys(SHAPES)).default('gauss'),
    )
    .option('--baseline <kind>', 'none, constant, linear or polyN', 'constant')
    .option(
      '--energy',
      'fit on a photon-energy axis (wavelength data converted with the λ²/hc Jacobian)',
    )
    .option('--range <min:max>', 'fit only this x range (after --energy: in eV)')
    .option('--poisson', 'the y values are photon counts: weight by sqrt(counts)')
    .addHelpText(
      'after',
      `
Examples:
  nanolum spectrum pl.csv
  nanolum spectrum pl.csv --peaks 2 --shape voigt --energy --json
  nanolum spectrum absorbance.txt --range 450:520 --baseline linear --out results`,
    )
    .action(async (file: string, opts: SpectrumCommandOptions, command: Command) => {
      await runSpectrum(file, opts, command, ctx);
    });
}

async function runSpectrum(
  path: string,
  opts: SpectrumCommandOptions,
  command: Command,
  ctx: CliContext,
): Promise<void> {
  const g = ctx.globals(command);
  const nPeaks = Number(opts.peaks);
  if (!Number.isInteger(nPeaks) || nPeaks < 1 || nPeaks > 20)
    throw new InvalidInputError(`--peaks must be an integer 1..20, got "${opts.peaks}"`);
  const shape = SHAPES[opts.shape];
  const baseline = parseBaseline(opts.baseline);
  const range = opts.range !== undefined ? parseRange(opts.range, '--range') : undefined;
  const { file, table } = await loadTable(path);
  const xCol = pick(table, opts.x, 0, 'x');
  const yCol = pick(table, opts.y, 1, 'y');
  if (xCol === yCol)
    throw new InvalidInputError(`x and y are the same column (${xCol.label}); choose --x and --y`);
  const xUnit = opts.xUnit ?? (xCol.unit || 'nm');
  if (xCol.unit && opts.xUnit && xCol.unit !== opts.xUnit) {
    ctx.warn(
      command,
      `--x-unit ${opts.xUnit} overrides the unit "${xCol.unit}" in the header of ${xCol.label}`,
    );
  }
  const xName = xUnit === 'eV' || xUnit === 'meV' ? 'energy' : 'wavelength';
  const spectrum = {
    x: xCol.values,
    y: yCol.values,
    xName,
    xUnit,
    unit: yCol.unit,
    name: yCol.name,
  };
  const metrics = peakMetrics(spectrum, {
    baseline: 'edges',
    ...(range && !opts.energy ? { range } : {}),
  });
  const result: PeakFitResult = fitPeaks(spectrum, {
    shape,
    peaks: nPeaks,
    baseline,
    energy: !!opts.energy,
    ...(range ? { range } : {}),
    ...(opts.poisson ? { sigma: 'poisson' as const } : {}),
  });
  for (const w of result.warnings) ctx.warn(command, w);
  let colour: ChromaticityResult | null = null;
  if (xUnit === 'nm' || xUnit === 'eV') {
    try {
      colour = chromaticity(spectrum);
    } catch (e) {
      if (!(e instanceof InvalidInputError)) throw e;
    }
  }
  const input = recordOf(file);
  const { curves, ...fitNoCurves } = result;
  const json = {
    input,
    x: { column: xCol.label, unit: xUnit },
    y: { column: yCol.label, unit: yCol.unit },
    metrics,
    fit: fitNoCurves,
    chromaticity: colour
      ? { x: colour.x, y: colour.y, fractionOutsideTable: colour.fractionOutsideTable }
      : null,
    provenance: provenance(
      'spectrum',
      {
        shape,
        peaks: nPeaks,
        baseline,
        energy: !!opts.energy,
        range: range ?? null,
        poisson: !!opts.poisson,
        x: xCol.label,
        y: yCol.label,
        xUnit,
      },
      { inputs: [input] },
    ),
  };
  const text = [
    `${file.name}: ${yCol.label} against ${xCol.name || xCol.label} (${xUnit})`,
    metricsText(metrics),
    peakFitReport(result),
    colour ? `CIE 1931 chromaticity  x = ${colour.x.toFixed(4)}, y = ${colour.y.toFixed(4)}` : '',
  ]
    .filter((s) => s !== '')
    .join('\n');

  const written: string[] = [];
  if (g.out !== undefined) {
    const [
      { peakFitFigure, chromaticityFigure },
      { nodeDocument, renderSvgNode },
      { renderReportHtml },
    ] = await Promise.all([
      import('../../spectra/figures.js'),
      import('../../node/svg.js'),
      import('../../report/html.js'),
    ]);
    const figure = peakFitFigure(result, {
      title: `${file.name}: ${result.peaks.length} ${result.shape} peak${result.peaks.length > 1 ? 's' : ''}`,
    });
    const rows = [
      'x,y,best,residual,baseline' + curves.peaks.map((_, k) => `,peak${k + 1}`).join(''),
    ];
    for (let i = 0; i < curves.x.length; i++) {
      rows.push(
        [
          curves.x[i],
          curves.y[i],
          curves.best[i],
          curves.residuals[i],
          curves.baseline[i],
          ...curves.peaks.map((p) => p[i]),
        ].join(','),
      );
    }
    const files: Record<string, string> = {
      'spectrum.json':
        JSON.stringify(
          json,
          (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
          2,
        ) + '\n',
      'spectrum-fit.csv': rows.join('\n') + '\n',
      'spectrum-fit.svg': renderSvgNode(figure),
    };
    const blocks: Report['sections'][number]['blocks'] = [
      {
        kind: 'figure',
        figure,
        caption: `${yCol.label} with the fitted peaks, baseline and residuals.`,
      },
      {
        kind: 'table',
        columns: [
          'peak',
          `centre (${result.xUnit})`,
          'stderr',
          `FWHM (${result.xUnit})`,
          'stderr',
          'area',
          'stderr',
          'area fraction',
        ],
        rows: result.peaks.map((p, k) => [
          k + 1,
          p.center.value,
          p.center.stderr,
          p.fwhm.value,
          p.fwhm.stderr,
          p.area.value,
          p.area.stderr,
          p.areaFraction.value,
        ]),
      },
      { kind: 'pre', text, caption: 'Summary' },
    ];
    if (colour) {
      const cf = chromaticityFigure([{ label: file.name, x: colour.x, y: colour.y }]);
      files['chromaticity.svg'] = renderSvgNode(cf);
      blocks.push({
        kind: 'figure',
        figure: cf,
        caption: `CIE 1931 chromaticity of ${file.name} with the Rec. 2020 gamut.`,
      });
    }
    const report: Report = {
      title: `Spectrum ${file.name}`,
      provenance: json.provenance,
      sections: [{ id: 'spectrum', title: 'Peaks', blocks }],
    };
    files['report.html'] = renderReportHtml(report, { document: nodeDocument() });
    written.push(...(await writeOutputs(g.out, files)));
  }
  if (g.json) ctx.json(json);
  else {
    ctx.out(text + '\n');
    if (written.length > 0) ctx.out(`wrote ${written.join(', ')}\n`);
  }
}
