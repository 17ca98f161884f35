/**
 * `nanolum fluence FILE --model bt|btd|exciton|plqe ...`: global rate-equation fits of a TRPL
 * fluence series (time column + one column per fluence, with the initial densities given by
 * --n0), or the PL-quantum-efficiency-vs-fluence model of paper 000 (fluence and QE columns),
 * with text, JSON, CSV, SVG and HTML outputs.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { InvalidInputError } from '../../core/errors.js';
import { formatNumber, formatQuantity } from '../../core/quantity.js';
import { provenance } from '../../core/provenance.js';
import type { ParamSpec } from '../../fit/types.js';
import { column } from '../../io/table-columns.js';
import type { Table } from '../../io/table.js';
import { type FluenceFitResult, fitFluenceSeries } from '../../kinetics/fluence/fit.js';
import { RATE_MODELS, type RateModelName, rateParamNames } from '../../kinetics/fluence/models.js';
import { type PlqeFitResult, fitPlqeVsFluence } from '../../kinetics/fluence/plqe.js';
import type { Report } from '../../report/types.js';
import type { CliContext } from '../context.js';
import { loadTable, parseAssignments, parseBounds, parseNames } from '../input.js';
import { recordOf, writeOutputs } from '../../node/files.js';
import { fitStatistics } from '../../fit/statistics.js';

interface FluenceCommandOptions {
  model: RateModelName | 'plqe';
  n0?: string;
  params?: string;
  bounds: string[];
  fix: string[];
  amplitude: 'free' | 'fixed';
  background: 'free' | 'fixed';
  tMin?: number;
  tMax?: number;
  timeUnit: string;
  densityUnit: string;
  columns?: string;
  wavelengthNm?: number;
  fluenceUnit: 'uJ/cm^2' | 'photons/cm^2';
  sigma?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];
const TIME_TO_NS: Record<string, number> = { ps: 1e-3, ns: 1, us: 1e3, µs: 1e3, ms: 1e6 };

function parseNumber(option: string) {
  return (value: string): number => {
    const v = Number(value);
    if (value.trim() === '' || !Number.isFinite(v))
      throw new InvalidArgumentError(`${option}: "${value}" is not a number`);
    return v;
  };
}

/** Parse a list of numbers "1e15,1e16 1e17". */
function parseList(text: string, option: string): number[] {
  const items = text.split(/[,;\s]+/).filter((s) => s !== '');
  return items.map((s) => {
    const v = Number(s);
    if (!Number.isFinite(v)) throw new InvalidInputError(`${option}: "${s}" is not a number`);
    return v;
  });
}

/**
 * Register `nanolum fluence`.
 *
 * @example
 * register(program, ctx); // then: nanolum fluence trpl.txt --model bt --n0 5.58e15,1e16,2.23e16
 */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('fluence')
    .description(
      'global rate-equation fit of a TRPL fluence series (bt, btd, exciton), or PL QE vs fluence (plqe)',
    )
    .argument(
      '<file>',
      'table: time + one PL column per fluence (bt/btd/exciton), or fluence + QE (plqe)',
    )
    .addOption(
      new Option('-m, --model <model>', 'rate model or the PLQE model')
        .choices(['bt', 'btd', 'exciton', 'plqe'])
        .makeOptionMandatory(),
    )
    .option(
      '--n0 <list>',
      'initial photoexcited density of each trace (cm^-3, or excitons per NC with --density-unit), comma-separated',
    )
    .option(
      '-p, --params <list>',
      'start values, e.g. "kT=0.01,kB=1e-19" (plqe: "sigmaCm2=3e-14,eta0=0.5")',
    )
    .option('--bounds <list>', 'bounds "name=min:max", comma-separated; repeatable', collect, [])
    .option(
      '--fix <names>',
      'hold these parameters at their start values (comma-separated; repeatable)',
      collect,
      [],
    )
    .addOption(
      new Option('--amplitude <mode>', 'per-trace amplitude')
        .choices(['free', 'fixed'])
        .default('free'),
    )
    .addOption(
      new Option('--background <mode>', 'per-trace constant background')
        .choices(['free', 'fixed'])
        .default('fixed'),
    )
    .option('--t-min <ns>', 'fit only times >= this (in --time-unit)', parseNumber('--t-min'))
    .option('--t-max <ns>', 'fit only times <= this (in --time-unit)', parseNumber('--t-max'))
    .addOption(
      new Option('--time-unit <unit>', 'unit of the time column')
        .choices(Object.keys(TIME_TO_NS))
        .default('ns'),
    )
    .option('--density-unit <unit>', 'unit of N0 and the densities', 'cm^-3')
    .option(
      '--columns <list>',
      'signal columns to use (names or 1-based numbers; default: all after the first)',
    )
    .option(
      '--wavelength-nm <nm>',
      'excitation wavelength (plqe with fluences in uJ/cm^2)',
      parseNumber('--wavelength-nm'),
    )
    .addOption(
      new Option('--fluence-unit <unit>', 'unit of the fluence column (plqe)')
        .choices(['uJ/cm^2', 'photons/cm^2'])
        .default('photons/cm^2'),
    )
    .option('--sigma <column>', 'column with the standard deviation of the QE (plqe)')
    .addHelpText(
      'after',
      `
Models:
  bt       dn/dt = -kT n - kB n^2 - kA n^3, PL ∝ n^2 (kA fixed at 0 unless given)   [pears BT; 002 eqn 4]
  btd      trapping-detrapping with doping: kB, kT, kD, NT, p0, PL ∝ n_e (n_h + p0) [pears BTD]
  exciton  dn/dt = -kX n - (1/2) kAnn n^2, PL ∝ n                                [002 eqn 5]
  plqe     QE vs fluence: Poisson <N> = sigma J, trap filling, Auger loss         [paper 000]

Examples:
  nanolum fluence pears_BT_TRPL_processed.txt --model bt --n0 5.58e15,1e16,2.23e16
  nanolum fluence btd.txt --model btd --n0 0.51e14,1.61e14,4.75e14,16.1e14,43.8e14 --amplitude fixed --json
  nanolum fluence nc.txt --model exciton --n0 0.1,0.5,2 --density-unit excitons/NC --out results
  nanolum fluence qe.csv --model plqe --fluence-unit uJ/cm^2 --wavelength-nm 400 --out results`,
    )
    .action(async (file: string, opts: FluenceCommandOptions, command: Command) => {
      await runFluence(file, opts, command, ctx);
    });
}

function buildRateParams(
  opts: FluenceCommandOptions,
  model: RateModelName,
): Record<string, number | ParamSpec> {
  const names = rateParamNames(model);
  const start = opts.params ? parseAssignments(opts.params, '--params') : {};
  const bounds = opts.bounds.length ? parseBounds(opts.bounds.join(','), '--bounds') : {};
  const fixed = parseNames(opts.fix);
  for (const n of [...Object.keys(start), ...Object.keys(bounds), ...fixed]) {
    if (!names.includes(n))
      throw new InvalidInputError(
        `unknown parameter "${n}" of the ${model} model; its parameters are ${names.join(', ')}`,
      );
  }
  const out: Record<string, number | ParamSpec> = {};
  for (const n of names) {
    const info = RATE_MODELS[model].params.find((p) => p.name === n)!;
    if (!(n in start) && !(n in bounds) && !fixed.includes(n)) continue;
    const value = start[n] ?? info.start;
    if (fixed.includes(n)) out[n] = { value, fixed: true };
    else out[n] = { value, min: 0, ...bounds[n] };
  }
  return out;
}

function rateText(r: FluenceFitResult, fileName: string): string {
  const lines: string[] = [];
  lines.push(`${fileName}: ${r.title} (${r.model})`);
  lines.push(`  ${r.equations}; ${r.signalDefinition}`);
  lines.push(
    `  ${r.traces.length} traces, ${r.nData} points, ${r.nFree} free parameters; status ${r.status}${r.converged ? '' : ' (NOT converged)'}`,
  );
  lines.push(`  chi-square ${formatNumber(r.chi2, 6)}, reduced ${formatNumber(r.reducedChi2, 6)}`);
  lines.push('shared parameters:');
  for (const [n, q] of Object.entries(r.params)) {
    const info = RATE_MODELS[r.model].params.find((p) => p.name === n)!;
    lines.push(
      `  ${n.padEnd(4)} = ${q.fixed ? `${formatNumber(q.value)} ${q.unit} (fixed)` : formatQuantity(q)}   ${info.description}${q.atBound ? ' [at bound]' : ''}`,
    );
  }
  lines.push('traces:');
  for (const t of r.traces) {
    const losses = Object.entries(t.losses.fractions)
      .map(([k, v]) => `${k} ${(100 * v).toFixed(1)}%`)
      .join(', ');
    lines.push(
      `  ${t.label}: amplitude ${formatQuantity(t.amplitude)}, background ${formatQuantity(t.background)}; losses: ${losses}`,
    );
  }
  for (const n of r.notes) lines.push(`note: ${n}`);
  return lines.join('\n') + '\n';
}

function plqeText(r: PlqeFitResult, fileName: string): string {
  const lines = [
    `${fileName}: PL quantum efficiency vs fluence (paper 000: Poisson excitation, trap filling, Auger loss of multiexcitons)`,
    `  ${r.nData} points, ${r.nFree} free parameters; status ${r.status}${r.converged ? '' : ' (NOT converged)'}; reduced chi-square ${formatNumber(r.reducedChi2, 6)}`,
    `  sigma_abs      = ${formatQuantity(r.sigmaCm2)}   absorption cross-section`,
    `  eta0           = ${formatQuantity(r.eta0)}   QE of an exciton with the trap empty`,
    `  kappa          = ${formatQuantity(r.kappa)}   trap-recovery ratio`,
    `  scale          = ${formatQuantity(r.scale)}`,
    `  biexcitonYield = ${formatQuantity(r.biexcitonYield)}`,
    `  QE is largest at <N> = ${formatNumber(r.maximum.meanExcitation, 4)} (J = ${formatNumber(r.maximum.photonsCm2, 4)} photons/cm^2)`,
  ];
  return lines.join('\n') + '\n';
}

function signalColumns(table: Table, opts: FluenceCommandOptions): Table['columns'] {
  if (opts.columns)
    return opts.columns
      .split(/[,;]+/)
      .filter((s) => s.trim() !== '')
      .map((ref) => column(table, ref.trim()));
  return table.columns.slice(1);
}

async function runFluence(
  filePath: string,
  opts: FluenceCommandOptions,
  command: Command,
  ctx: CliContext,
): Promise<void> {
  const g = ctx.globals(command);
  const { file, table } = await loadTable(filePath);
  const input = recordOf(file);
  if (table.columns.length < 2)
    throw new InvalidInputError(
      `${file.name} has ${table.columns.length} column; the fluence command needs at least two`,
    );
  const written: string[] = [];
  // figures and reports load only when files are written (keeps the CLI quick to start)
  const mods =
    g.out !== undefined
      ? await Promise.all([
          import('../../kinetics/fluence/figures.js'),
          import('../../node/svg.js'),
          import('../../report/html.js'),
        ])
      : null;
  const figMod = mods ? mods[0] : null;
  const writeReport = async (
    files: Record<string, string>,
    report: Report | null,
  ): Promise<void> => {
    if (g.out === undefined || !mods) return;
    const [, { nodeDocument, renderSvgNode }, { renderReportHtml }] = mods;
    const svgs: Record<string, string> = {};
    for (const [name, content] of Object.entries(files)) svgs[name] = content;
    if (report) {
      for (const s of report.sections) {
        for (const b of s.blocks)
          if (b.kind === 'figure') svgs[`${s.id}.svg`] = renderSvgNode(b.figure);
      }
      svgs['report.html'] = renderReportHtml(report, { document: nodeDocument() });
    }
    written.push(...(await writeOutputs(g.out, svgs)));
  };

  if (opts.model === 'plqe') {
    const J = table.columns[0]!.values;
    const qe = table.columns[1]!.values;
    const sigma = opts.sigma ? column(table, opts.sigma).values : undefined;
    const start = opts.params ? parseAssignments(opts.params, '--params') : {};
    const bounds = opts.bounds.length ? parseBounds(opts.bounds.join(','), '--bounds') : {};
    const fixed = parseNames(opts.fix);
    const known = ['sigmaCm2', 'eta0', 'kappa', 'scale', 'biexcitonYield'];
    for (const n of [...Object.keys(start), ...Object.keys(bounds), ...fixed]) {
      if (!known.includes(n))
        throw new InvalidInputError(
          `unknown parameter "${n}" of the plqe model; its parameters are ${known.join(', ')}`,
        );
    }
    const params: Record<string, ParamSpec> = {};
    for (const n of known) {
      if (!(n in start) && !(n in bounds) && !fixed.includes(n)) continue;
      if (!(n in start))
        throw new InvalidInputError(
          `give a start value for ${n} with --params when bounding or fixing it`,
        );
      params[n] = { value: start[n]!, ...bounds[n], ...(fixed.includes(n) ? { fixed: true } : {}) };
    }
    const r = fitPlqeVsFluence(J, qe, {
      fluenceUnit: opts.fluenceUnit,
      ...(opts.wavelengthNm !== undefined ? { wavelengthNm: opts.wavelengthNm } : {}),
      params,
      ...(sigma ? { sigma } : {}),
    });
    if (!r.converged) ctx.warn(command, `the fit did not converge (${r.status}): ${r.message}`);
    const json = {
      model: 'plqe',
      sigmaCm2: r.sigmaCm2,
      eta0: r.eta0,
      kappa: r.kappa,
      scale: r.scale,
      biexcitonYield: r.biexcitonYield,
      maximum: r.maximum,
      points: r.photonsCm2.map((p, i) => ({
        photonsCm2: p,
        meanExcitation: r.meanExcitation[i],
        qe: r.qe[i],
        best: r.best[i],
        residual: r.residuals[i],
      })),
      chi2: r.chi2,
      reducedChi2: r.reducedChi2,
      nData: r.nData,
      nFree: r.nFree,
      converged: r.converged,
      status: r.status,
      message: r.message,
      input,
      provenance: provenance(
        'fluence-plqe',
        { fluenceUnit: opts.fluenceUnit, wavelengthNm: opts.wavelengthNm ?? null, params },
        { inputs: [input] },
      ),
    };
    if (figMod) {
      const figure = figMod.plqeFigure(r, `PL QE vs excitation: ${file.name}`);
      const csv =
        [
          'photons_cm2,mean_excitation,qe,best,residual',
          ...json.points.map(
            (p) => `${p.photonsCm2},${p.meanExcitation},${p.qe},${p.best},${p.residual}`,
          ),
        ].join('\n') + '\n';
      await writeReport(
        { 'plqe.json': JSON.stringify(json, null, 2) + '\n', 'plqe.csv': csv },
        {
          title: `PL QE vs fluence: ${file.name}`,
          provenance: json.provenance,
          sections: [
            {
              id: 'plqe',
              title: 'PL QE vs fluence',
              blocks: [
                { kind: 'figure', figure },
                { kind: 'pre', text: plqeText(r, file.name) },
              ],
            },
          ],
        },
      );
    }
    if (g.json) ctx.json(json);
    else {
      ctx.out(plqeText(r, file.name));
      if (written.length) ctx.out(`wrote ${written.join(', ')}\n`);
    }
    return;
  }

  const model = opts.model;
  if (opts.n0 === undefined)
    throw new InvalidInputError(
      '--n0 is required for rate-equation models: the initial density of each trace, e.g. --n0 1e15,1e16,1e17',
    );
  const n0 = parseList(opts.n0, '--n0');
  const time = table.columns[0]!;
  const cols = signalColumns(table, opts);
  if (n0.length !== cols.length) {
    throw new InvalidInputError(
      `--n0 gives ${n0.length} densities but ${file.name} has ${cols.length} signal columns (${cols.map((c) => c.label).join(', ')}); give one N0 per column or choose columns with --columns`,
    );
  }
  const f = TIME_TO_NS[opts.timeUnit]!;
  const tNs = Array.from(time.values, (v) => v * f);
  const traces = cols.map((c, k) => ({
    timesNs: tNs,
    signal: c.values,
    n0: n0[k]!,
    label: `${c.label} (N0 = ${n0[k]!.toExponential(3)})`,
  }));
  const r = fitFluenceSeries(traces, {
    model,
    params: buildRateParams(opts, model),
    amplitude: opts.amplitude,
    background: opts.background,
    densityUnit: opts.densityUnit,
    ...(opts.tMin !== undefined ? { tMinNs: opts.tMin * f } : {}),
    ...(opts.tMax !== undefined ? { tMaxNs: opts.tMax * f } : {}),
  });
  if (!r.converged) ctx.warn(command, `the fit did not converge (${r.status}): ${r.message}`);
  const json = {
    model,
    title: r.title,
    equations: r.equations,
    signal: r.signalDefinition,
    densityUnit: r.densityUnit,
    params: r.params,
    traces: r.traces.map((t) => ({
      label: t.label,
      n0: t.n0,
      amplitude: t.amplitude,
      background: t.background,
      chi2: t.chi2,
      losses: t.losses,
      nData: t.timesNs.length,
    })),
    ...fitStatistics(r),
    notes: r.notes,
    input,
    provenance: provenance(
      'fluence',
      {
        model,
        n0,
        amplitude: opts.amplitude,
        background: opts.background,
        params: buildRateParams(opts, model),
        tMinNs: opts.tMin ?? null,
        tMaxNs: opts.tMax ?? null,
      },
      { inputs: [input] },
    ),
  };
  if (figMod) {
    const figure = figMod.fluenceSeriesFigure(r, {
      title: `${file.name}: global ${model.toUpperCase()} fit`,
    });
    const header = [
      'time_ns',
      ...r.traces.flatMap((_, k) => [`signal_${k + 1}`, `best_${k + 1}`, `residual_${k + 1}`]),
    ];
    const rows = [header.join(',')];
    const len = Math.max(...r.traces.map((t) => t.timesNs.length));
    for (let i = 0; i < len; i++) {
      const row: string[] = [String(r.traces[0]!.timesNs[i] ?? '')];
      for (const t of r.traces)
        row.push(String(t.signal[i] ?? ''), String(t.best[i] ?? ''), String(t.residuals[i] ?? ''));
      rows.push(row.join(','));
    }
    const full = { ...json, traces: r.traces };
    await writeReport(
      {
        'fluence.json': JSON.stringify(full, null, 2) + '\n',
        'fluence.csv': rows.join('\n') + '\n',
      },
      {
        title: `Fluence series: ${file.name}`,
        provenance: json.provenance,
        sections: [
          {
            id: 'fluence',
            title: r.title,
            blocks: [
              {
                kind: 'figure',
                figure,
                caption: 'PL decays (log scale) with the global fit; residuals below.',
              },
              {
                kind: 'table',
                columns: ['parameter', 'value', 'stderr', 'unit', 'fixed'],
                rows: Object.entries(r.params).map(([n, q]) => [
                  n,
                  q.value,
                  q.stderr,
                  q.unit,
                  q.fixed ? 'yes' : 'no',
                ]),
              },
              { kind: 'pre', text: rateText(r, file.name) },
            ],
          },
        ],
      },
    );
  }
  if (g.json) ctx.json(json);
  else {
    ctx.out(rateText(r, file.name));
    if (written.length) ctx.out(`wrote ${written.join(', ')}\n`);
  }
}
