/**
 * `nanolum flim CUBE --irf IRF`: per-pixel lifetime fits of a FLIM image (Becker & Hickl `.sdt`,
 * or a JSON cube) on worker threads, with lifetime maps written as CSV, SVG and HTML.
 */
import { type Command, Option } from 'commander';
import { InvalidInputError } from '../../core/errors.js';
import { provenance } from '../../core/provenance.js';
import { type CalibratedJSON, fromJSON } from '../../data/calibrated.js';
import type { FitFlimOptions, FlimCube, FlimResult } from '../../kinetics/flim/fit-flim.js';
import { readInputFile, recordOf, writeOutputs } from '../../node/files.js';
import type { FigureSpec } from '../../plot/types.js';
import type { Report } from '../../report/types.js';
import type { CliContext } from '../context.js';
import { decayFitJson, readDecayFile } from './tcspc.js';
import { parseNumber as num, parseTimeWindowNs } from '../input.js';

interface FlimCommandOptions {
  irf?: string;
  gaussianIrf?: string;
  components: string;
  binning: string;
  minCounts: string;
  workers?: string;
  range?: string;
  background?: string;
  repPeriod?: string;
  fixTau?: string;
  block: string;
}

/**
 * Read a FLIM cube: a `.sdt` file (through the reader in src/io) or JSON, either a calibrated
 * array as written by nanolum (`data`, `axes` y, x, time) or `{ "shape": [ny, nx, nt], "binNs": b,
 * "data": [...] }`.
 *
 * @example
 * const { cube } = await readCube('cells.sdt');
 */
export async function readCube(
  path: string,
  block = 0,
): Promise<{ cube: FlimCube; name: string; bytes: number; sha256: string }> {
  const file = await readInputFile(path);
  const lower = file.name.toLowerCase();
  let cube: FlimCube;
  if (lower.endsWith('.sdt')) {
    const { readBeckerHicklSdtAsync } = await import('../../io/bh-sdt.js');
    const a = await readBeckerHicklSdtAsync(file.bytes, { fileName: file.name, block });
    if (a.axes.length !== 3) {
      throw new InvalidInputError(
        `${file.name}: block ${block} is not an image (${a.axes.map((x) => `${x.name}[${x.size}]`).join(' x ')}); use nanolum tcspc fit for single decays`,
      );
    }
    cube = a;
  } else if (lower.endsWith('.json')) {
    let j: unknown;
    try {
      j = JSON.parse(new TextDecoder().decode(file.bytes));
    } catch (e) {
      throw new InvalidInputError(`${file.name}: not valid JSON (${(e as Error).message})`);
    }
    if (typeof j !== 'object' || j === null)
      throw new InvalidInputError(`${file.name}: expected a JSON object`);
    const o = j as Record<string, unknown>;
    if (Array.isArray(o.axes)) cube = fromJSON(o as unknown as CalibratedJSON);
    else if (Array.isArray(o.shape) && Array.isArray(o.data) && typeof o.binNs === 'number') {
      cube = {
        data: Float64Array.from(o.data as number[]),
        shape: o.shape as [number, number, number],
        binNs: o.binNs,
      };
    } else {
      throw new InvalidInputError(
        `${file.name}: expected { "shape": [ny, nx, nt], "binNs": ..., "data": [...] } or a nanolum calibrated array`,
      );
    }
  } else {
    throw new InvalidInputError(`${file.name}: FLIM cubes are read from .sdt or .json files`);
  }
  return { cube, ...recordOf(file) };
}

function finiteMedian(a: Float64Array): number | null {
  const v = Array.from(a)
    .filter(Number.isFinite)
    .sort((x, y) => x - y);
  if (v.length === 0) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m]! : 0.5 * (v[m - 1]! + v[m]!);
}

/** A heatmap figure of a map (NaN shown as missing). */
function mapFigure(
  values: Float64Array,
  width: number,
  height: number,
  title: string,
  colorLabel: string,
): FigureSpec {
  return {
    title,
    width: Math.max(360, Math.min(720, 160 + 2 * width)),
    height: Math.max(300, Math.min(720, 100 + 2 * height)),
    x: { label: 'x', unit: 'pixel' },
    y: { label: 'y', unit: 'pixel' },
    series: [
      {
        type: 'heatmap',
        width,
        height,
        values: Array.from(values),
        xExtent: [0, width],
        yExtent: [0, height],
        colorLabel,
      },
    ],
    legend: false,
  };
}

/**
 * Register `nanolum flim`.
 *
 * @example
 * register(program, ctx); // then: nanolum flim cells.sdt --irf irf.txt --binning 1 --out maps
 */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('flim')
    .description('per-pixel lifetime fits of a FLIM image (y, x, time) on worker threads')
    .argument('<cube>', 'FLIM data: Becker & Hickl .sdt, or a JSON cube')
    .option('--irf <file>', 'measured IRF (text table, .phu or .sdt), same bin width as the cube')
    .option('--gaussian-irf <fwhmNs>', 'a Gaussian IRF of this FWHM (ns) instead of a measured one')
    .addOption(
      new Option('-c, --components <n>', 'exponential components per pixel')
        .choices(['1', '2', '3'])
        .default('1'),
    )
    .option('--binning <b>', 'sum each pixel with its (2b+1) x (2b+1) neighbourhood', '0')
    .option('--min-counts <n>', 'skip pixels with fewer counts', '50')
    .option('--workers <n>', 'worker threads (default: all cores)')
    .option('--range <start:end>', 'fit range in ns')
    .option('--background <counts>', 'hold the background at this many counts per bin per pixel')
    .option('--rep-period <ns>', 'laser repetition period (pile-up of previous pulses)')
    .option('--fix-tau <list>', 'lifetimes held fixed in every pixel ("-" for free), e.g. "0.5,3"')
    .option('--block <n>', 'data block of a .sdt file', '0')
    .addHelpText(
      'after',
      `
Examples:
  nanolum flim cells.sdt --irf irf.txt --binning 1 --out maps
  nanolum flim cube.json --gaussian-irf 0.2 -c 2 --fix-tau 0.5,3 --json`,
    )
    .action(async (cubePath: string, opts: FlimCommandOptions, command: Command) => {
      await runFlim(cubePath, opts, command, ctx);
    });
}

async function runFlim(
  cubePath: string,
  opts: FlimCommandOptions,
  command: Command,
  ctx: CliContext,
): Promise<void> {
  const g = ctx.globals(command);
  if (opts.irf === undefined && opts.gaussianIrf === undefined) {
    throw new InvalidInputError(
      'give the instrument response: --irf FILE (measured) or --gaussian-irf FWHM_NS',
    );
  }
  const options: FitFlimOptions = {
    components: Number(opts.components) as 1 | 2 | 3,
    binning: num(opts.binning, '--binning'),
    minCounts: num(opts.minCounts, '--min-counts'),
  };
  if (opts.gaussianIrf !== undefined)
    options.gaussianIrf = { fwhmNs: num(opts.gaussianIrf, '--gaussian-irf') };
  if (opts.workers !== undefined) options.workers = num(opts.workers, '--workers');
  if (opts.range !== undefined) options.fitRange = parseTimeWindowNs(opts.range, '--range');
  if (opts.background !== undefined) options.background = num(opts.background, '--background');
  if (opts.repPeriod !== undefined)
    options.repetitionPeriodNs = num(opts.repPeriod, '--rep-period');
  if (opts.fixTau !== undefined) {
    options.fixTauNs = opts.fixTau
      .split(/[,;\s]+/)
      .filter((s) => s !== '')
      .map((s) => (s === '-' ? null : num(s, '--fix-tau')));
  }
  const cube = await readCube(cubePath, num(opts.block, '--block'));
  const inputs = [{ name: cube.name, bytes: cube.bytes, sha256: cube.sha256 }];
  if (opts.irf !== undefined) {
    const irf = await readDecayFile(opts.irf, 'IRF');
    options.irf = irf.decay;
    inputs.push(recordOf(irf.file));
  }
  // worker threads in Node, and the fitting code itself, load only when needed
  const [{ fitFlim }] = await Promise.all([
    import('../../kinetics/flim/fit-flim.js'),
    import('../../node/workers.js'),
  ]);
  const bar = ctx.progress(command, 'fitting pixels');
  let r: FlimResult;
  try {
    r = await fitFlim(cube.cube, { ...options, onProgress: (d, n) => bar(d, n) });
  } finally {
    bar.stop();
  }
  for (const w of r.warnings) ctx.warn(command, w);
  const printable: Record<string, unknown> = { ...options };
  delete printable.irf;
  const summary = {
    width: r.width,
    height: r.height,
    components: r.components,
    binning: r.binning,
    medianLifetimeNs: finiteMedian(r.lifetimeNs),
    medianPhotons: finiteMedian(r.photons),
    statusCounts: r.statusCounts,
    shiftNs: r.shiftNs,
    fitRange: r.fitRange,
    wholeImage: decayFitJson(r.global),
    warnings: r.warnings,
    input: inputs[0],
    irfInput: inputs[1] ?? null,
    provenance: provenance('flim', { ...printable, irf: opts.irf ?? null }, { inputs }),
  };

  const written: string[] = [];
  if (g.out !== undefined) {
    const csv = (a: Float64Array): string => {
      const lines: string[] = [];
      for (let y = 0; y < r.height; y++)
        lines.push(
          Array.from(a.subarray(y * r.width, (y + 1) * r.width), (v) =>
            Number.isFinite(v) ? String(v) : '',
          ).join(','),
        );
      return lines.join('\n') + '\n';
    };
    const [{ nodeDocument, renderSvgNode }, { renderReportHtml }] = await Promise.all([
      import('../../node/svg.js'),
      import('../../report/html.js'),
    ]);
    const lifeFig = mapFigure(
      r.lifetimeNs,
      r.width,
      r.height,
      `${cube.name}: ${r.components > 1 ? 'intensity-weighted mean ' : ''}lifetime`,
      'Lifetime (ns)',
    );
    const photonFig = mapFigure(
      r.photons,
      r.width,
      r.height,
      `${cube.name}: photons per pixel`,
      'Counts',
    );
    const report: Report = {
      title: `FLIM fit of ${cube.name}`,
      provenance: summary.provenance,
      sections: [
        {
          id: 'flim',
          title: 'Lifetime map',
          blocks: [
            { kind: 'figure', figure: lifeFig, caption: 'Lifetime per pixel (blank: not fitted).' },
            {
              kind: 'figure',
              figure: photonFig,
              caption: 'Counts per pixel in the fit range (after binning).',
            },
            {
              kind: 'table',
              columns: ['fitted', 'not converged', 'skipped', 'failed', 'median lifetime (ns)'],
              rows: [
                [
                  r.statusCounts.converged,
                  r.statusCounts.notConverged,
                  r.statusCounts.skipped,
                  r.statusCounts.failed,
                  summary.medianLifetimeNs,
                ],
              ],
            },
          ],
        },
      ],
    };
    const maps = {
      width: r.width,
      height: r.height,
      lifetimeNs: r.lifetimeNs,
      lifetimeStderrNs: r.lifetimeStderrNs,
      amplitude: r.amplitude,
      tauNs: r.tauNs,
      amplitudes: r.amplitudes,
      background: r.background,
      chi2: r.chi2,
      photons: r.photons,
      status: r.status,
    };
    const jsonText = JSON.stringify({ ...summary, maps }, (_k, v: unknown) => {
      if (typeof v === 'number') return Number.isFinite(v) ? v : null;
      if (ArrayBuffer.isView(v) && !(v instanceof DataView))
        return Array.from(v as unknown as ArrayLike<number>, (x) =>
          Number.isFinite(x) ? x : null,
        );
      return v;
    });
    written.push(
      ...(await writeOutputs(g.out, {
        'flim.json': jsonText + '\n',
        'lifetime.csv': csv(r.lifetimeNs),
        'photons.csv': csv(r.photons),
        'lifetime.svg': renderSvgNode(lifeFig),
        'report.html': renderReportHtml(report, { document: nodeDocument() }),
      })),
    );
  }
  if (g.json) ctx.json(summary);
  else {
    const s = r.statusCounts;
    ctx.out(
      `FLIM fit of ${cube.name}: ${r.width} x ${r.height} pixels, ${r.components} component${r.components > 1 ? 's' : ''}, binning ${r.binning}\n` +
        `  fitted ${s.converged}, not converged ${s.notConverged}, skipped ${s.skipped}, failed ${s.failed}\n` +
        `  median lifetime ${summary.medianLifetimeNs === null ? '-' : summary.medianLifetimeNs.toFixed(4)} ns; IRF shift ${r.shiftNs.toFixed(4)} ns\n`,
    );
    if (written.length > 0) ctx.out(`wrote ${written.join(', ')}\n`);
  }
}
