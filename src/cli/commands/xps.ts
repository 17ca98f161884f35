/**
 * `nanolum xps FILE --photon-energy-ev 180 --doublet Au4f`: fit an XPS core-level region (a
 * two-column table of kinetic or binding energy and counts) with spin-orbit doublets on a
 * Shirley background, and report positions, widths and relative areas of the components.
 * With `--out DIR`: xps.json, xps-fit.csv, xps-fit.svg and report.html.
 *
 * JSON keys (`--json`): `input`, `x` / `y` (column, unit), `fit` (the `XpsFitResult` without
 * curves: doublet with splitting and areaRatio; background; energyScale; components with
 * position, minorPosition, fwhm, area, relativeArea; fit statistics; warnings), `provenance`.
 */
import { type Command, Option } from 'commander';
import { InvalidInputError } from '../../core/errors.js';
import { provenance } from '../../core/provenance.js';
import { column } from '../../io/table-columns.js';
import type { Table, TableColumn } from '../../io/table.js';
import type { Report } from '../../report/types.js';
import { SPIN_ORBIT_DOUBLETS } from '../../xps/doublets.js';
import { type XpsComponentGuess, fitXps, xpsFitReport } from '../../xps/fit.js';
import type { XpsLineShape } from '../../xps/model.js';
import { recordOf, writeOutputs } from '../../node/files.js';
import type { CliContext } from '../context.js';
import { loadTable } from '../input.js';
import { parseRange } from './spectrum.js';

interface XpsCommandOptions {
  x?: string;
  y?: string;
  photonEnergyEv?: string;
  workFunctionEv: string;
  binding?: boolean;
  doublet: string;
  components?: string;
  shape: string;
  background: string;
  freeSplitting?: boolean;
  freeRatio?: boolean;
  range?: string;
  scaleErrors?: boolean;
}

const SHAPES: Record<string, XpsLineShape> = {
  gauss: 'gaussian',
  gaussian: 'gaussian',
  voigt: 'voigt',
  gl: 'gl-product',
  'gl-product': 'gl-product',
  lorentz: 'lorentzian',
  pvoigt: 'pseudo-voigt',
};

function num(text: string, option: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v))
    throw new InvalidInputError(`${option}: "${text}" is not a number`);
  return v;
}

/**
 * Parse `--components "138.2:Pb2+,137.0:Pb0"` (binding energy of the major line, optional label).
 *
 * @example
 * parseComponents('138.2:Pb2+, 137.0:Pb0'); // [{ position: 138.2, label: 'Pb2+' }, { position: 137, label: 'Pb0' }]
 */
export function parseComponents(text: string): XpsComponentGuess[] {
  const n = Number(text);
  if (/^\s*\d+\s*$/.test(text)) return Array.from({ length: n }, () => ({}));
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((item) => {
      const [pos, ...label] = item.split(':');
      const position = num(pos, '--components');
      return label.length > 0 ? { position, label: label.join(':').trim() } : { position };
    });
}

function pick(table: Table, ref: string | undefined, fallback: number, what: string): TableColumn {
  if (ref === undefined) {
    if (table.columns.length < 2)
      throw new InvalidInputError(
        `${table.metadata.fileName ?? 'the table'} has only one column; XPS needs energy and counts columns`,
      );
    return table.columns[fallback];
  }
  try {
    return column(table, ref);
  } catch (e) {
    if (e instanceof InvalidInputError) throw new InvalidInputError(`--${what}: ${e.message}`);
    throw e;
  }
}

/**
 * Register `nanolum xps`.
 *
 * @example
 * register(program, ctx); // then: nanolum xps au4f.csv --photon-energy-ev 180 --doublet Au4f
 */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('xps')
    .description('fit an XPS core-level region with spin-orbit doublets on a Shirley background')
    .argument('<file>', 'table: kinetic (or, with --binding, binding) energy in eV, counts')
    .option('--x <column>', 'energy column: name or 1-based number (default 1)')
    .option('--y <column>', 'counts column: name or number (default 2)')
    .option(
      '--photon-energy-ev <eV>',
      'photon energy; the x column is then kinetic energy unless --binding',
    )
    .option('--work-function-ev <eV>', 'spectrometer work function', '0')
    .option('--binding', 'the x column is already binding energy')
    .option(
      '--doublet <name>',
      `spin-orbit doublet: ${Object.keys(SPIN_ORBIT_DOUBLETS).join(', ')}, or none`,
      'none',
    )
    .option(
      '--components <list>',
      'number of components, or starting binding energies with labels: "138.2:Pb2+,137.0:Pb0"',
    )
    .addOption(
      new Option('--shape <shape>', 'line shape').choices(Object.keys(SHAPES)).default('gauss'),
    )
    .addOption(
      new Option('--background <kind>', 'background')
        .choices(['shirley', 'linear', 'shirley-fixed', 'linear-fixed', 'none'])
        .default('shirley'),
    )
    .option('--free-splitting', 'fit the spin-orbit splitting instead of fixing it')
    .option('--free-ratio', 'fit the doublet area ratio instead of fixing it')
    .option('--range <min:max>', 'fit only binding energies in this range (eV)')
    .option(
      '--scale-errors',
      'multiply standard errors by sqrt(reduced chi-square) when it exceeds 1',
    )
    .addHelpText(
      'after',
      `
Examples:
  nanolum xps au4f.csv --photon-energy-ev 180 --doublet Au4f --shape voigt --free-splitting --free-ratio
  nanolum xps pb4f.csv --binding --doublet Pb4f --components "138.2:Pb2+,137.0:Pb0,139.0:oxidised" --out results`,
    )
    .action(async (file: string, opts: XpsCommandOptions, command: Command) => {
      await runXps(file, opts, command, ctx);
    });
}

async function runXps(
  path: string,
  opts: XpsCommandOptions,
  command: Command,
  ctx: CliContext,
): Promise<void> {
  const g = ctx.globals(command);
  const hv =
    opts.photonEnergyEv !== undefined ? num(opts.photonEnergyEv, '--photon-energy-ev') : undefined;
  const phi = num(opts.workFunctionEv, '--work-function-ev');
  if (!opts.binding && hv === undefined) {
    throw new InvalidInputError(
      'give --photon-energy-ev for kinetic-energy data, or --binding if the energies are binding energies',
    );
  }
  const doublet = opts.doublet.toLowerCase() === 'none' ? null : opts.doublet;
  const components = opts.components !== undefined ? parseComponents(opts.components) : 1;
  const range = opts.range !== undefined ? parseRange(opts.range, '--range') : undefined;
  const { file, table } = await loadTable(path);
  const xCol = pick(table, opts.x, 0, 'x');
  const yCol = pick(table, opts.y, 1, 'y');
  const scale = opts.binding ? 'binding' : 'kinetic';
  const result = fitXps(
    { x: xCol.values, y: yCol.values, xName: `${scale} energy`, xUnit: 'eV', unit: 'counts' },
    {
      doublet,
      components,
      shape: SHAPES[opts.shape],
      background: opts.background as 'shirley',
      energyScale: scale,
      ...(hv !== undefined ? { photonEnergyEv: hv } : {}),
      workFunctionEv: phi,
      freeSplitting: !!opts.freeSplitting,
      freeRatio: !!opts.freeRatio,
      scaleErrors: !!opts.scaleErrors,
      ...(range ? { range } : {}),
    },
  );
  for (const w of result.warnings) ctx.warn(command, w);
  const input = recordOf(file);
  const { curves, ...fitNoCurves } = result;
  const json = {
    input,
    x: { column: xCol.label, scale },
    y: { column: yCol.label, unit: yCol.unit },
    fit: fitNoCurves,
    provenance: provenance(
      'xps',
      {
        doublet,
        components,
        shape: SHAPES[opts.shape],
        background: opts.background,
        photonEnergyEv: hv ?? null,
        workFunctionEv: phi,
        scale,
        freeSplitting: !!opts.freeSplitting,
        freeRatio: !!opts.freeRatio,
        range: range ?? null,
      },
      { inputs: [input] },
    ),
  };
  const text = `${file.name}\n${xpsFitReport(result)}`;
  const written: string[] = [];
  if (g.out !== undefined) {
    const [{ xpsFitFigure }, { nodeDocument, renderSvgNode }, { renderReportHtml }] =
      await Promise.all([
        import('../../xps/figures.js'),
        import('../../node/svg.js'),
        import('../../report/html.js'),
      ]);
    const figure = xpsFitFigure(result, {
      title: `${file.name}${result.doublet ? `: ${result.doublet.element} ${result.doublet.major.replace(/\d\/\d$/, '')}` : ''}`,
    });
    const rows = [
      'binding_energy_eV,counts,best,residual,background' +
        curves.components.map((_, k) => `,component${k + 1}`).join(''),
    ];
    for (let i = 0; i < curves.bindingEnergy.length; i++) {
      rows.push(
        [
          curves.bindingEnergy[i],
          curves.counts[i],
          curves.best[i],
          curves.residuals[i],
          curves.background[i],
          ...curves.components.map((c) => c.major[i] + c.minor[i]),
        ].join(','),
      );
    }
    const report: Report = {
      title: `XPS ${file.name}`,
      provenance: json.provenance,
      sections: [
        {
          id: 'xps',
          title: result.doublet
            ? `${result.doublet.element} ${result.doublet.major.replace(/\d\/\d$/, '')}`
            : 'XPS',
          blocks: [
            {
              kind: 'figure',
              figure,
              caption: 'Counts with the fitted components on the background, and residuals.',
            },
            {
              kind: 'table',
              columns: [
                'component',
                'binding energy (eV)',
                'stderr',
                'FWHM (eV)',
                'stderr',
                'relative area',
                'stderr',
              ],
              rows: result.components.map((c) => [
                c.label,
                c.position.value,
                c.position.stderr,
                c.fwhm.value,
                c.fwhm.stderr,
                c.relativeArea.value,
                c.relativeArea.stderr,
              ]),
            },
            { kind: 'pre', text, caption: 'Fit summary' },
          ],
        },
      ],
    };
    written.push(
      ...(await writeOutputs(g.out, {
        'xps.json':
          JSON.stringify(
            json,
            (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
            2,
          ) + '\n',
        'xps-fit.csv': rows.join('\n') + '\n',
        'xps-fit.svg': renderSvgNode(figure),
        'report.html': renderReportHtml(report, { document: nodeDocument() }),
      })),
    );
  }
  if (g.json) ctx.json(json);
  else {
    ctx.out(text + '\n');
    if (written.length > 0) ctx.out(`wrote ${written.join(', ')}\n`);
  }
}
