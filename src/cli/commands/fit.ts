/**
 * `nanolum fit DATA --model EXPR --params "A=1000,tau=2"`: fit a formula to two columns of a
 * CSV/TSV/whitespace table by least squares or Poisson maximum likelihood.
 */
import { type Command, Option } from 'commander';
import { FormulaError, InvalidInputError } from '../../core/errors.js';
import { formatNumber } from '../../core/quantity.js';
import { provenance } from '../../core/provenance.js';
import { compileFormula, formulaIdentifiers } from '../../fit/formula.js';
import { fit } from '../../fit/fit.js';
import { fitStatistics } from '../../fit/statistics.js';
import type { FitMethod, FitResult, ParamSpec } from '../../fit/types.js';
import { column, columnIndex } from '../../io/table-columns.js';
import type { Table, TableColumn } from '../../io/table.js';
import type { Report } from '../../report/types.js';
import type { CliContext } from '../context.js';
import { loadTable, parseAssignments, parseBounds, parseNames } from '../input.js';
import { recordOf, writeOutputs } from '../../node/files.js';

interface FitCommandOptions {
  model: string;
  params: string;
  x?: string;
  y?: string;
  sigma?: string;
  variable: string;
  method: FitMethod;
  bounds: string[];
  fix: string[];
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/**
 * Register `nanolum fit`.
 *
 * @example
 * register(program, ctx); // then: nanolum fit decay.csv --model "A*exp(-x/tau)+c" --params "A=1000,tau=2,c=1"
 */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('fit')
    .description('fit a model formula to a table of x, y (and sigma) columns')
    .argument('<data>', 'CSV, TSV, semicolon or whitespace-delimited text file')
    .requiredOption('-m, --model <expr>', 'model formula in x, e.g. "A*exp(-x/tau) + c"')
    .requiredOption('-p, --params <list>', 'starting values, e.g. "A=1000,tau=2.5,c=0"')
    .option('--x <column>', 'x column: name (case-insensitive) or 1-based number (default 1)')
    .option('--y <column>', 'y column: name or number (default 2)')
    .option('--sigma <column>', 'column with the standard deviation of each y (least squares)')
    .option('--variable <name>', 'name of the independent variable in the formula', 'x')
    .addOption(
      new Option('--method <method>', 'least-squares or poisson (maximum likelihood for counts)')
        .choices(['least-squares', 'poisson'])
        .default('least-squares'),
    )
    .option(
      '--bounds <list>',
      'bounds "name=min:max" (either side may be empty), comma-separated; repeatable',
      collect,
      [],
    )
    .option(
      '--fix <names>',
      'hold these parameters at their starting values (comma-separated; repeatable)',
      collect,
      [],
    )
    .addHelpText(
      'after',
      `
Examples:
  nanolum fit decay.csv --model "A*exp(-x/tau) + c" --params "A=1000,tau=2,c=1" --bounds "tau=0:"
  nanolum fit counts.tsv --x "time (ns)" --y counts --method poisson --model "A*exp(-x/tau)" --params "A=500,tau=3"
  nanolum fit data.txt --model "b1*(1-exp(-b2*x))" --params "b1=500,b2=1e-4" --json --out results`,
    )
    .action(async (data: string, opts: FitCommandOptions, command: Command) => {
      await runFitCommand(data, opts, command, ctx);
    });
}

function pickColumn(
  table: Table,
  ref: string | undefined,
  fallback: number,
  what: string,
): TableColumn {
  if (ref === undefined) {
    if (fallback > table.columns.length) {
      throw new InvalidInputError(
        `${table.metadata.fileName ?? 'the table'} has only ${table.columns.length} column (${table.columns
          .map((c) => c.label)
          .join(', ')}); a fit needs x and y columns`,
      );
    }
    return table.columns[fallback - 1];
  }
  try {
    return column(table, ref);
  } catch (e) {
    if (e instanceof InvalidInputError) throw new InvalidInputError(`--${what}: ${e.message}`);
    throw e;
  }
}

function buildParams(
  modelParams: readonly string[],
  opts: FitCommandOptions,
  variable: string,
): Record<string, ParamSpec> {
  const start = parseAssignments(opts.params, '--params');
  const bounds = opts.bounds.length > 0 ? parseBounds(opts.bounds.join(','), '--bounds') : {};
  const fixed = parseNames(opts.fix);
  const known = modelParams.join(', ');
  const check = (names: string[], option: string): void => {
    for (const n of names) {
      if (!modelParams.includes(n)) {
        const hint = n === variable ? ` (${variable} is the independent variable)` : '';
        throw new InvalidInputError(
          `${option}: unknown parameter "${n}"${hint}; the formula's parameters are ${known}`,
        );
      }
    }
  };
  check(Object.keys(start), '--params');
  check(Object.keys(bounds), '--bounds');
  check(fixed, '--fix');
  const missing = modelParams.filter((p) => !(p in start));
  if (missing.length > 0) {
    throw new InvalidInputError(
      `--params gives no starting value for ${missing.join(', ')}; the formula's parameters are ${known} ` +
        `(the independent variable is ${variable})`,
    );
  }
  const out: Record<string, ParamSpec> = {};
  for (const p of modelParams) {
    const b = bounds[p] ?? {};
    const v = start[p];
    if ((b.min !== undefined && v < b.min) || (b.max !== undefined && v > b.max)) {
      throw new InvalidInputError(
        `the starting value ${p}=${v} is outside its bounds ${b.min ?? ''}:${b.max ?? ''}; change --params or --bounds`,
      );
    }
    out[p] = { value: v, ...b, ...(fixed.includes(p) ? { fixed: true } : {}) };
  }
  return out;
}

/** Axis label and unit of a column; a column named after its unit (`counts`) gets no `(counts)`. */
function axisSpec(c: TableColumn): { label: string; unit: string } {
  return { label: c.name, unit: c.unit === c.name ? '' : c.unit };
}

function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/** The JSON form of a fit result for the CLI (params with value and stderr, statistics). */
function fitJson(result: FitResult): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [name, p] of Object.entries(result.params)) {
    params[name] = {
      value: p.value,
      stderr: p.stderr,
      initial: p.initial,
      min: finiteOrNull(p.min),
      max: finiteOrNull(p.max),
      fixed: p.fixed,
      expr: p.expr,
      atBound: p.atBound,
    };
  }
  return {
    params,
    ...fitStatistics(result),
    logLikelihood: result.logLikelihood,
    dof: result.dof,
    iterations: result.iterations,
  };
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/**
 * An lmfit-style text report of a fit: statistics, parameters with stderr and relative error,
 * and the stronger correlations.
 */
function fitText(
  result: FitResult,
  modelText: string,
  fileName: string,
  xLabel: string,
  yLabel: string,
): string {
  const lines: string[] = [];
  lines.push('[[Model]]');
  lines.push(`    ${modelText}`);
  lines.push(`    data: ${fileName}, x = ${xLabel}, y = ${yLabel}`);
  lines.push('[[Fit Statistics]]');
  const stat = (k: string, v: string): void => void lines.push(`    ${pad(k, 19)}= ${v}`);
  stat('fitting method', result.method);
  stat('# data points', String(result.nData));
  stat('# variables', String(result.nFree));
  stat('chi-square', formatNumber(result.chi2, 7));
  stat('reduced chi-square', formatNumber(result.reducedChi2, 7));
  stat('Akaike info crit', formatNumber(result.aic, 7));
  stat('Bayesian info crit', formatNumber(result.bic, 7));
  const why = result.message.startsWith(`${result.status}:`)
    ? result.message.slice(result.status.length + 1).trim()
    : result.message;
  stat('status', `${result.status}${result.converged ? '' : ' (NOT converged)'}: ${why}`);
  lines.push('[[Variables]]');
  const names = Object.keys(result.params);
  const w = Math.max(...names.map((n) => n.length)) + 1;
  for (const name of names) {
    const p = result.params[name];
    let s = `    ${pad(`${name}:`, w + 1)} ${formatNumber(p.value, 8)}`;
    if (p.fixed) s += ' (fixed)';
    else if (p.expr) s += ` == '${p.expr}'`;
    else if (p.stderr !== null) {
      const rel =
        p.value !== 0 ? ` (${formatNumber(Math.abs((100 * p.stderr) / p.value), 3)}%)` : '';
      s += ` +/- ${formatNumber(p.stderr, 3)}${rel} (init = ${formatNumber(p.initial, 6)})`;
    } else s += ` +/- (not estimable) (init = ${formatNumber(p.initial, 6)})`;
    if (p.atBound) s += ' [at bound]';
    lines.push(s);
  }
  if (result.correlation && result.freeParams.length > 1) {
    const pairs: Array<[string, number]> = [];
    const f = result.freeParams;
    for (let i = 0; i < f.length; i++) {
      for (let j = i + 1; j < f.length; j++) {
        const c = result.correlation[i][j];
        if (Math.abs(c) >= 0.1) pairs.push([`C(${f[i]}, ${f[j]})`, c]);
      }
    }
    if (pairs.length > 0) {
      pairs.sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]));
      lines.push('[[Correlations]] (unreported correlations are < 0.100)');
      const cw = Math.max(...pairs.map((p) => p[0].length));
      for (const [k, c] of pairs)
        lines.push(`    ${pad(k, cw)} = ${c >= 0 ? '+' : ''}${c.toFixed(4)}`);
    }
  }
  return lines.join('\n') + '\n';
}

function csvNumber(v: number): string {
  return Number.isFinite(v) ? String(v) : '';
}

async function runFitCommand(
  dataPath: string,
  opts: FitCommandOptions,
  command: Command,
  ctx: CliContext,
): Promise<void> {
  const g = ctx.globals(command);
  // Check the formula and parameters before reading data, so option mistakes are reported first.
  let model;
  try {
    model = compileFormula(opts.model, { variables: [opts.variable] });
  } catch (e) {
    if (e instanceof FormulaError) throw new FormulaError(`--model: ${e.message}`, e.position);
    if (e instanceof InvalidInputError) throw new InvalidInputError(`--model: ${e.message}`);
    throw e;
  }
  if (!formulaIdentifiers(opts.model).includes(opts.variable)) {
    ctx.warn(
      command,
      `the formula does not use the variable ${opts.variable}; the model is constant in ${opts.variable} (name the variable with --variable if it is not ${opts.variable})`,
    );
  }
  const params = buildParams(model.params, opts, opts.variable);

  const { file, table } = await loadTable(dataPath);
  const xCol = pickColumn(table, opts.x, 1, 'x');
  const yCol = pickColumn(table, opts.y, 2, 'y');
  const sCol = opts.sigma !== undefined ? pickColumn(table, opts.sigma, 0, 'sigma') : undefined;
  if (sCol && opts.method === 'poisson') {
    throw new InvalidInputError(
      '--sigma cannot be used with --method poisson (the variance of counts is the model)',
    );
  }
  if (columnIndex(table, opts.x ?? 1) === columnIndex(table, opts.y ?? 2)) {
    throw new InvalidInputError(`x and y are the same column (${xCol.label}); choose --x and --y`);
  }
  if (sCol) {
    const bad = sCol.values.findIndex((v) => !(v > 0 && Number.isFinite(v)));
    if (bad >= 0) {
      throw new InvalidInputError(
        `--sigma column ${sCol.label} must be positive; data row ${bad + 1} has ${sCol.values[bad]}`,
      );
    }
  }
  if (opts.method === 'poisson') {
    const bad = yCol.values.findIndex((v) => v < 0);
    if (bad >= 0) {
      throw new InvalidInputError(
        `--method poisson needs counts >= 0, but y column ${yCol.label} has ${yCol.values[bad]} in data row ${bad + 1}`,
      );
    }
  }

  const result = fit(model, xCol.values, yCol.values, params, {
    method: opts.method,
    ...(sCol ? { sigma: sCol.values } : {}),
  });
  if (!result.converged)
    ctx.warn(command, `the fit did not converge (${result.status}): ${result.message}`);

  const input = recordOf(file);
  const json = {
    ...fitJson(result),
    model: opts.model,
    method: opts.method,
    x: { column: xCol.label, unit: xCol.unit },
    y: { column: yCol.label, unit: yCol.unit },
    sigma: sCol ? { column: sCol.label, unit: sCol.unit } : null,
    input,
    provenance: provenance(
      'fit',
      {
        model: opts.model,
        params,
        method: opts.method,
        x: xCol.label,
        y: yCol.label,
        sigma: sCol?.label ?? null,
      },
      { inputs: [input] },
    ),
  };

  const written: string[] = [];
  if (g.out !== undefined) {
    const x = xCol.values;
    const rows = ['x,y,best,residual'];
    for (let i = 0; i < x.length; i++) {
      rows.push(
        `${csvNumber(x[i])},${csvNumber(yCol.values[i])},${csvNumber(result.best[i])},${csvNumber(result.residuals[i])}`,
      );
    }
    // figures and reports load only when files are written (keeps the CLI quick to start)
    const [{ fitFigure }, { nodeDocument, renderSvgNode }, { renderReportHtml }] =
      await Promise.all([
        import('../../plot/figures.js'),
        import('../../node/svg.js'),
        import('../../report/html.js'),
      ]);
    const figure = fitFigure({
      x,
      y: yCol.values,
      best: result.best,
      residuals: result.residuals,
      ...(sCol ? { yErr: sCol.values } : {}),
      title: `${opts.model} fitted to ${file.name}`,
      xAxis: axisSpec(xCol),
      yAxis: axisSpec(yCol),
    });
    const text = fitText(result, opts.model, file.name, xCol.label, yCol.label);
    const report: Report = {
      title: `Fit of ${file.name}`,
      provenance: json.provenance,
      sections: [
        {
          id: 'fit',
          title: `${opts.model}`,
          blocks: [
            {
              kind: 'figure',
              figure,
              caption: `${yCol.label} against ${xCol.label} with the best fit and its residuals.`,
            },
            {
              kind: 'table',
              columns: ['parameter', 'value', 'stderr', 'initial', 'fixed'],
              rows: Object.entries(result.params).map(([n, p]) => [
                n,
                p.value,
                p.stderr,
                p.initial,
                p.fixed ? 'yes' : 'no',
              ]),
            },
            { kind: 'pre', text, caption: 'Fit report' },
          ],
        },
      ],
    };
    const document = nodeDocument();
    written.push(
      ...(await writeOutputs(g.out, {
        'fit.json':
          JSON.stringify(
            json,
            (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
            2,
          ) + '\n',
        'fit.csv': rows.join('\n') + '\n',
        'fit.svg': renderSvgNode(figure),
        'report.html': renderReportHtml(report, { document }),
      })),
    );
  }

  if (g.json) {
    ctx.json(json);
  } else {
    ctx.out(fitText(result, opts.model, file.name, xCol.label, yCol.label));
    if (written.length > 0) ctx.out(`wrote ${written.join(', ')}\n`);
  }
}
