/**
 * `nanolum tcspc fit DECAY --irf IRF`: reconvolution fit of a TCSPC decay (text table, PicoQuant
 * `.phu` or Becker & Hickl `.sdt`) with 1-4 exponentials or an automatic number of them.
 */
import { type Command, Option } from 'commander';
import { InvalidInputError, NanolumError } from '../../core/errors.js';
import { type InputRecord, provenance } from '../../core/provenance.js';
import { formatQuantity, quantity } from '../../core/quantity.js';
import type { CalibratedArray } from '../../data/calibrated.js';
import { readTable } from '../../io/table.js';
import { fitDecay } from '../../kinetics/tcspc/fit-decay.js';
import type { DecayFitResult, DecayInput, FitDecayOptions } from '../../kinetics/tcspc/types.js';
import {
  type InputFile,
  lineLog,
  readInputFile,
  recordOf,
  writeOutputs,
} from '../../node/files.js';
import type { Report } from '../../report/types.js';
import type { CliContext } from '../context.js';
import { parseNumber as num, parseTimeWindowNs } from '../input.js';

interface TcspcFitOptions {
  irf?: string;
  gaussianIrf?: string;
  components: string;
  kind: 'exp' | 'stretched' | 'power-tail';
  method: 'poisson' | 'least-squares';
  range?: string;
  shift: boolean;
  shiftNs?: string;
  background?: string;
  irfBackground?: string;
  repPeriod?: string;
  tau?: string;
  fixTau?: string;
  groupBins?: string;
  curve: string;
}

const TIME_FACTORS: Record<string, number> = { ns: 1, ps: 1e-3, us: 1e3, µs: 1e3, μs: 1e3 };

/**
 * Read a decay or IRF file: a `.phu` / `.sdt` histogram (through the readers in src/io), or a
 * text table whose first column is time (ns unless the header gives ps or us) and whose second
 * column is counts.
 *
 * @example
 * const { file, decay } = await readDecayFile('decay.txt');
 */
export async function readDecayFile(
  path: string,
  what: string,
  curve = 0,
): Promise<{ file: InputFile; decay: DecayInput }> {
  const file = await readInputFile(path);
  const lower = file.name.toLowerCase();
  if (lower.endsWith('.phu')) {
    const { readPicoQuantPhu } = await import('../../io/picoquant-phu.js');
    return { file, decay: readPicoQuantPhu(file.bytes, { fileName: file.name, curve }) };
  }
  if (lower.endsWith('.sdt')) {
    const { readBeckerHicklSdtAsync } = await import('../../io/bh-sdt.js');
    const a = await readBeckerHicklSdtAsync(file.bytes, { fileName: file.name });
    return { file, decay: oneCurve(a, file.name, what, curve) };
  }
  const table = readTable(file.bytes, { fileName: file.name });
  if (table.columns.length < 2) {
    throw new InvalidInputError(
      `${file.name}: the ${what} needs two columns (time, counts); found ${table.columns.length}`,
    );
  }
  const tc = table.columns[0]!;
  const factor = TIME_FACTORS[tc.unit.trim()] ?? 1;
  if (tc.unit.trim() !== '' && TIME_FACTORS[tc.unit.trim()] === undefined) {
    throw new InvalidInputError(
      `${file.name}: the time column is in "${tc.unit}"; expected ns, ps or us`,
    );
  }
  return {
    file,
    decay: { t: Float64Array.from(tc.values, (v) => v * factor), counts: table.columns[1]!.values },
  };
}

/** A 1-D decay from a reader's array (curve `curve` when it holds several). */
function oneCurve(a: CalibratedArray, name: string, what: string, curve: number): DecayInput {
  if (a.axes.length === 1) return a;
  if (a.axes.length === 2) {
    const nc = a.axes[0]!.size;
    const nt = a.axes[1]!.size;
    if (!(Number.isInteger(curve) && curve >= 0 && curve < nc))
      throw new InvalidInputError(
        `${name}: curve ${curve} does not exist; the file has curves 0..${nc - 1}`,
      );
    return {
      ...a,
      data: a.data.slice(curve * nt, (curve + 1) * nt),
      axes: [a.axes[1]!],
    } as CalibratedArray;
  }
  throw new InvalidInputError(
    `${name}: holds an image (${a.axes.map((x) => `${x.name}[${x.size}]`).join(' x ')}), not one ${what}; use nanolum flim`,
  );
}

/** The JSON form of a decay fit for the CLI. */
export function decayFitJson(r: DecayFitResult): Record<string, unknown> {
  return {
    components: r.components.map((c) => ({
      kind: c.kind,
      tauNs: c.tauNs,
      tauNsStderr: c.tauNsStderr,
      amplitude: c.amplitude,
      amplitudeStderr: c.amplitudeStderr,
      photonFraction: c.photonFraction,
      photonFractionStderr: c.photonFractionStderr,
      ...(c.beta !== undefined ? { beta: c.beta, betaStderr: c.betaStderr } : {}),
      ...(c.alpha !== undefined ? { alpha: c.alpha, alphaStderr: c.alphaStderr } : {}),
      atBound: c.atBound,
    })),
    meanLifetimeNs: r.meanLifetimeNs,
    background: r.background,
    shiftNs: r.shiftNs,
    irfCenterNs: r.irfCenterNs,
    irfFwhmNs: r.irfFwhmNs,
    method: r.method,
    kind: r.kind,
    deviance: r.deviance,
    chi2: r.chi2,
    reducedChi2: r.reducedChi2,
    logLikelihood: r.logLikelihood,
    aic: r.aic,
    bic: r.bic,
    nData: r.nData,
    nFree: r.nFree,
    converged: r.converged,
    status: r.status,
    message: r.message,
    fitRange: r.fitRange,
    groupBins: r.groupBins,
    totalCounts: r.totalCounts,
    candidates: r.candidates,
    selectedBy: r.selectedBy,
    warnings: r.warnings,
  };
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** A plain-text summary table of a decay fit. */
export function decayFitText(r: DecayFitResult, title: string): string {
  const lines: string[] = [title];
  lines.push(
    `  ${r.components.length} component${r.components.length > 1 ? 's' : ''} (${r.kind}), ${r.method}, ${r.irf} IRF (FWHM ${(1000 * r.irfFwhmNs).toFixed(0)} ps), ${r.totalCounts} counts in ${r.fitRange.startNs.toPrecision(4)}-${r.fitRange.endNs.toPrecision(4)} ns`,
  );
  lines.push(`  ${pad('component', 11)}${pad('tau', 24)}${pad('amplitude', 24)}photon fraction`);
  r.components.forEach((c, i) => {
    const tau = formatQuantity(quantity(c.tauNs, 'ns', c.tauNsStderr));
    const amp = formatQuantity(quantity(c.amplitude, '', c.amplitudeStderr));
    const frac = formatQuantity(
      quantity(
        100 * c.photonFraction,
        '%',
        c.photonFractionStderr === null ? null : 100 * c.photonFractionStderr,
      ),
    );
    const extra =
      c.beta !== undefined
        ? `  beta ${formatQuantity(quantity(c.beta, '', c.betaStderr))}`
        : c.alpha !== undefined
          ? `  alpha ${formatQuantity(quantity(c.alpha, '', c.alphaStderr))}`
          : '';
    lines.push(`  ${pad(`${i + 1} ${c.kind}`, 11)}${pad(tau, 24)}${pad(amp, 24)}${frac}${extra}`);
  });
  lines.push(
    `  mean lifetime: amplitude-weighted ${formatQuantity(r.meanLifetimeNs.amplitudeWeighted)}, intensity-weighted ${formatQuantity(r.meanLifetimeNs.intensityWeighted)}`,
  );
  lines.push(
    `  background ${formatQuantity(r.background)}; ${r.shiftNs ? `IRF shift ${formatQuantity(r.shiftNs)}` : `IRF centre ${formatQuantity(r.irfCenterNs!)}`}`,
  );
  lines.push(
    `  deviance ${r.deviance.toFixed(2)}, reduced chi2 ${r.reducedChi2.toFixed(3)} (${r.dof} dof), BIC ${r.bic.toFixed(2)}, ${r.converged ? 'converged' : `NOT converged (${r.status})`}`,
  );
  if (r.candidates) {
    lines.push(
      `  candidates (${r.selectedBy}): ${r.candidates.map((c) => `${c.components}: ${(r.selectedBy === 'aic' ? c.aic : c.bic).toFixed(2)}`).join(', ')}`,
    );
  }
  return lines.join('\n') + '\n';
}

/**
 * Register `nanolum tcspc` (subcommand `fit`).
 *
 * @example
 * register(program, ctx); // then: nanolum tcspc fit decay.txt --irf irf.txt --components auto
 */
export function register(program: Command, ctx: CliContext): void {
  const tcspc = program
    .command('tcspc')
    .description('time-correlated single photon counting: decay fits');
  tcspc
    .command('fit')
    .description('reconvolution fit of a TCSPC decay with its instrument response (IRF)')
    .argument(
      '<decays...>',
      'decay: text table (time in ns, counts), .phu or .sdt; several files are fitted as a batch',
    )
    .option('--irf <file>', 'measured IRF, same format and bin width as the decay')
    .option('--gaussian-irf <fwhmNs>', 'a Gaussian IRF of this FWHM (ns) instead of a measured one')
    .option('-c, --components <n>', 'exponential components: 1-4 or auto (lowest BIC)', '1')
    .addOption(
      new Option('--kind <kind>', 'decay shape')
        .choices(['exp', 'stretched', 'power-tail'])
        .default('exp'),
    )
    .addOption(
      new Option('--method <method>', 'poisson (maximum likelihood) or least-squares')
        .choices(['poisson', 'least-squares'])
        .default('poisson'),
    )
    .option('--range <start:end>', 'fit range in ns, e.g. "1.5:12" (either side may be empty)')
    .option('--no-shift', 'do not fit the IRF shift')
    .option('--shift-ns <ns>', 'IRF shift to start from (or to use with --no-shift)')
    .option(
      '--background <counts>',
      'hold the background at this many counts per bin (default: fitted)',
    )
    .option('--irf-background <counts>', 'background of the IRF to subtract (default: estimated)')
    .option(
      '--rep-period <ns>',
      'laser repetition period: include the decay left from previous pulses',
    )
    .option('--tau <list>', 'starting lifetimes in ns, comma-separated')
    .option(
      '--fix-tau <list>',
      'lifetimes to hold fixed, comma-separated ("-" for free), e.g. "-,-,7.5"',
    )
    .option('--group-bins <n>', 'fit groups of n bins (default auto; 1 = the original bins)')
    .option('--curve <n>', 'curve of a .phu/.sdt file holding several (0-based)', '0')
    .addHelpText(
      'after',
      `
Examples:
  nanolum tcspc fit decay.txt --irf irf.txt --components auto
  nanolum tcspc fit decay.phu --gaussian-irf 0.2 -c 2 --json
  nanolum tcspc fit decay.txt --irf irf.txt -c 3 --fix-tau -,-,7.5 --out results
  nanolum tcspc fit particles/*.txt --irf irf.txt -c auto --out batch   (one row per file)`,
    )
    .action(async (decayPaths: string[], opts: TcspcFitOptions, command: Command) => {
      if (decayPaths.length === 1) await runTcspcFit(decayPaths[0]!, opts, command, ctx);
      else await runTcspcBatch(decayPaths, opts, command, ctx);
    });
}

function parseList(text: string, option: string): (number | null)[] {
  return text
    .split(/[,;\s]+/)
    .filter((s) => s !== '')
    .map((s) => (s === '-' || s.toLowerCase() === 'free' ? null : num(s, option)));
}

/** The fit options of `tcspc fit` (everything but the IRF file). */
function fitOptionsFrom(opts: TcspcFitOptions): FitDecayOptions {
  if (opts.irf === undefined && opts.gaussianIrf === undefined) {
    throw new InvalidInputError(
      'give the instrument response: --irf FILE (measured) or --gaussian-irf FWHM_NS',
    );
  }
  const comps = opts.components.trim().toLowerCase();
  if (!['1', '2', '3', '4', 'auto'].includes(comps))
    throw new InvalidInputError(
      `--components must be 1, 2, 3, 4 or auto, got "${opts.components}"`,
    );
  const options: FitDecayOptions = {
    components: comps === 'auto' ? 'auto' : (Number(comps) as 1 | 2 | 3 | 4),
    kind: opts.kind,
    method: opts.method,
    shift: opts.shift,
  };
  if (opts.gaussianIrf !== undefined)
    options.gaussianIrf = { fwhmNs: num(opts.gaussianIrf, '--gaussian-irf') };
  if (opts.range !== undefined) options.fitRange = parseTimeWindowNs(opts.range, '--range');
  if (opts.shiftNs !== undefined) options.shiftNs = num(opts.shiftNs, '--shift-ns');
  if (opts.background !== undefined) options.background = num(opts.background, '--background');
  if (opts.irfBackground !== undefined)
    options.irfBackground = num(opts.irfBackground, '--irf-background');
  if (opts.repPeriod !== undefined)
    options.repetitionPeriodNs = num(opts.repPeriod, '--rep-period');
  if (opts.tau !== undefined) options.tauNs = parseList(opts.tau, '--tau');
  if (opts.fixTau !== undefined) options.fixTauNs = parseList(opts.fixTau, '--fix-tau');
  if (opts.groupBins !== undefined)
    options.groupBins = opts.groupBins === 'auto' ? 'auto' : num(opts.groupBins, '--group-bins');

  return options;
}

async function runTcspcFit(
  decayPath: string,
  opts: TcspcFitOptions,
  command: Command,
  ctx: CliContext,
): Promise<void> {
  const g = ctx.globals(command);
  const options = fitOptionsFrom(opts);
  const curve = num(opts.curve, '--curve');
  const { file, decay } = await readDecayFile(decayPath, 'decay', curve);
  const inputs = [recordOf(file)];
  if (opts.irf !== undefined) {
    const irf = await readDecayFile(opts.irf, 'IRF', curve);
    options.irf = irf.decay;
    inputs.push(recordOf(irf.file));
  }
  const r = fitDecay(decay, options);
  for (const w of r.warnings) ctx.warn(command, w);
  const printable: Record<string, unknown> = { ...options };
  delete printable.irf;
  const json = {
    ...decayFitJson(r),
    input: inputs[0],
    irfInput: inputs[1] ?? null,
    provenance: provenance('tcspc fit', { ...printable, irf: opts.irf ?? null }, { inputs }),
  };

  const written: string[] = [];
  if (g.out !== undefined) {
    const rows = ['time_ns,counts,fit,pearson_residual'];
    for (let i = 0; i < r.timeNs.length; i++)
      rows.push(`${r.timeNs[i]},${r.counts[i]},${r.best[i]},${r.residuals.pearson[i]}`);
    const [{ decayFigure }, { nodeDocument, renderSvgNode }, { renderReportHtml }] =
      await Promise.all([
        import('../../plot/figures.js'),
        import('../../node/svg.js'),
        import('../../report/html.js'),
      ]);
    const figure = decayFigure({
      timeNs: r.timeNs,
      counts: r.counts,
      best: r.best,
      residuals: r.residuals.pearson,
      title: `${file.name}: ${r.components.length}-component reconvolution fit`,
      dataLabel: r.groupBins > 1 ? `Counts per ${r.groupBins} bins` : 'Counts',
    });
    const text = decayFitText(r, `TCSPC fit of ${file.name}`);
    const report: Report = {
      title: `TCSPC fit of ${file.name}`,
      provenance: json.provenance,
      sections: [
        {
          id: 'tcspc',
          title: `${r.components.length}-component fit`,
          blocks: [
            {
              kind: 'figure',
              figure,
              caption:
                'Counts (log scale) with the fit; Pearson residuals (counts - fit)/sqrt(fit) below.',
            },
            {
              kind: 'table',
              columns: [
                'component',
                'tau (ns)',
                'stderr (ns)',
                'amplitude',
                'photon fraction',
                'stderr',
              ],
              rows: r.components.map((c, i) => [
                i + 1,
                c.tauNs,
                c.tauNsStderr,
                c.amplitude,
                c.photonFraction,
                c.photonFractionStderr,
              ]),
            },
            { kind: 'pre', text, caption: 'Fit summary' },
          ],
        },
      ],
    };
    written.push(
      ...(await writeOutputs(g.out, {
        'tcspc.json': toJsonLine(json, 2) + '\n',
        'tcspc.csv': rows.join('\n') + '\n',
        'tcspc.svg': renderSvgNode(figure),
        'report.html': renderReportHtml(report, { document: nodeDocument() }),
      })),
    );
  }
  if (g.json) ctx.json(json);
  else {
    ctx.out(
      decayFitText(r, `TCSPC fit of ${file.name}${opts.irf ? ` with IRF ${inputs[1]!.name}` : ''}`),
    );
    if (written.length > 0) ctx.out(`wrote ${written.join(', ')}\n`);
  }
}

/** One file of a batch: its fit (the JSON of a single fit) or the error that stopped it. */
interface BatchRow {
  file: string;
  input: InputRecord | null;
  fit: Record<string, unknown> | null;
  error: string | null;
}

function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The batch as a table: one row per file, the components in columns (up to the most any fit has). */
export function batchCsv(rows: BatchRow[], fits: (DecayFitResult | null)[]): string {
  const maxK = Math.max(1, ...fits.map((r) => (r ? r.components.length : 0)));
  const head = ['file', 'status', 'components'];
  for (let k = 1; k <= maxK; k++)
    head.push(
      `tau${k}_ns`,
      `tau${k}_stderr_ns`,
      `photon_fraction${k}`,
      `photon_fraction${k}_stderr`,
    );
  head.push(
    'mean_lifetime_amplitude_ns',
    'mean_lifetime_amplitude_stderr_ns',
    'mean_lifetime_intensity_ns',
    'mean_lifetime_intensity_stderr_ns',
    'background_counts_per_bin',
    'shift_ns',
    'total_counts',
    'deviance',
    'reduced_chi2',
    'converged',
    'warnings',
    'error',
  );
  const lines = [head.join(',')];
  rows.forEach((row, i) => {
    const r = fits[i];
    const f: unknown[] = [row.file, r ? 'ok' : 'error', r ? r.components.length : null];
    for (let k = 0; k < maxK; k++) {
      const c = r?.components[k];
      f.push(c?.tauNs, c?.tauNsStderr, c?.photonFraction, c?.photonFractionStderr);
    }
    f.push(
      r?.meanLifetimeNs.amplitudeWeighted.value,
      r?.meanLifetimeNs.amplitudeWeighted.stderr,
      r?.meanLifetimeNs.intensityWeighted.value,
      r?.meanLifetimeNs.intensityWeighted.stderr,
      r?.background.value,
      r ? (r.shiftNs ?? r.irfCenterNs)?.value : null,
      r?.totalCounts,
      r?.deviance,
      r?.reducedChi2,
      r ? r.converged : null,
      r ? r.warnings.join('; ') : null,
      row.error,
    );
    lines.push(f.map(csvField).join(','));
  });
  return lines.join('\n') + '\n';
}

/**
 * `tcspc fit` with several decay files: the same options and IRF for each, a progress bar, a
 * file that cannot be read or fitted reported in its row (the batch goes on), and - with --out -
 * every finished fit appended to `tcspc-batch.jsonl` as it comes (an interrupted batch keeps
 * them), then `tcspc-batch.csv` (one row per file) and `tcspc-batch.json`.
 */
async function runTcspcBatch(
  paths: string[],
  opts: TcspcFitOptions,
  command: Command,
  ctx: CliContext,
): Promise<void> {
  const g = ctx.globals(command);
  const options = fitOptionsFrom(opts);
  const curve = num(opts.curve, '--curve');
  let irfInput: BatchRow['input'] = null;
  if (opts.irf !== undefined) {
    const irf = await readDecayFile(opts.irf, 'IRF', curve);
    options.irf = irf.decay;
    irfInput = recordOf(irf.file);
  }
  const log = g.out !== undefined ? await lineLog(g.out, 'tcspc-batch.jsonl') : null;
  const rows: BatchRow[] = [];
  const fits: (DecayFitResult | null)[] = [];
  const bar = ctx.progress(command, 'fitting decays', paths.length);
  try {
    for (let i = 0; i < paths.length; i++) {
      const path = paths[i]!;
      let row: BatchRow;
      let r: DecayFitResult | null = null;
      try {
        const { file, decay } = await readDecayFile(path, 'decay', curve);
        r = fitDecay(decay, options);
        row = {
          file: file.name,
          input: recordOf(file),
          fit: decayFitJson(r),
          error: null,
        };
        for (const w of r.warnings) ctx.warn(command, `${file.name}: ${w}`);
      } catch (e) {
        if (!(e instanceof NanolumError)) throw e;
        row = { file: path, input: null, fit: null, error: e.message };
        const name = path.split(/[\\/]/).pop() ?? path;
        ctx.warn(command, `skipped ${e.message.includes(name) ? '' : `${path}: `}${e.message}`);
      }
      rows.push(row);
      fits.push(r);
      log?.append(toJsonLine(row));
      bar(i + 1, paths.length);
    }
  } finally {
    bar.stop();
  }
  const failed = rows.filter((r) => r.error !== null).length;
  if (failed === rows.length) {
    throw new InvalidInputError(
      `none of the ${rows.length} decays could be fitted (first: ${rows[0]!.file}: ${rows[0]!.error})`,
    );
  }
  const printable: Record<string, unknown> = { ...options };
  delete printable.irf;
  const inputs = [
    ...rows.flatMap((r) => (r.input ? [r.input] : [])),
    ...(irfInput ? [irfInput] : []),
  ];
  const json = {
    fits: rows,
    fitted: rows.length - failed,
    failed,
    irfInput,
    provenance: provenance(
      'tcspc fit (batch)',
      { ...printable, irf: opts.irf ?? null },
      { inputs },
    ),
  };
  const written: string[] = [];
  if (g.out !== undefined) {
    written.push(
      ...(await writeOutputs(g.out, {
        'tcspc-batch.csv': batchCsv(rows, fits),
        'tcspc-batch.json': toJsonLine(json, 2) + '\n',
      })),
    );
    if (log) written.push(log.path);
  }
  if (g.json) ctx.json(json);
  else {
    const lines = [
      `TCSPC fits of ${rows.length} decays${opts.irf ? ` with IRF ${irfInput!.name}` : ''}: ${rows.length - failed} fitted, ${failed} failed`,
      `  ${pad('file', 28)}${pad('components', 12)}${pad('intensity-weighted mean lifetime', 36)}reduced chi2`,
    ];
    rows.forEach((row, i) => {
      const r = fits[i];
      lines.push(
        r
          ? `  ${pad(row.file, 28)}${pad(String(r.components.length), 12)}${pad(formatQuantity(r.meanLifetimeNs.intensityWeighted), 36)}${r.reducedChi2.toFixed(3)}${r.converged ? '' : ' (not converged)'}`
          : `  ${pad(row.file, 28)}error: ${row.error}`,
      );
    });
    ctx.out(lines.join('\n') + '\n');
    if (written.length > 0) ctx.out(`wrote ${written.join(', ')}\n`);
  }
}

/** JSON text with non-finite numbers as null (one line unless `indent`). */
function toJsonLine(value: unknown, indent?: number): string {
  return JSON.stringify(
    value,
    (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
    indent,
  );
}
