/**
 * `nanolum transport ...`: exciton transport.
 *
 * - `transport analyze CUBE [--model gauss|voigt|gauss2d]`: transient PL microscopy analysis of a
 *   PL(x, t) / PL(x, y, t) cube: delimited text, or HDF5 (`.h5`, `.hdf5`, HyperSpy `.hspy`;
 *   recognised by its signature, `--dataset` and `--time-axis` choose the data). JSON: `msd: [{ tNs, msdUm2, stderr }]`, `dAvgCm2PerS`,
 *   `dAvgStderr`, `dLinear`, `anomalous`, `tauPlNs`, `tauPlStderr`, `diffusionLengthNm`,
 *   `diffusionLengthStderr`, `diffusionLengthDefinition`, `tMaxNs`, `tMaxAtEnd`, `bins` (per time
 *   bin sigma^2 with `flags`), `warnings`, `provenance`.
 * - `transport simulate [--preset NAME] [--gamma-b P ...]`: the lattice Monte Carlo of paper 004.
 *   JSON: `curve: [{ tNs, emissions, msdProfileSites2, msdDisplacementSites2 }]` (plus their
 *   stderr), `params`, `emitted`, `survivors`, `initialVarianceSites2`, `analytic` (the exact
 *   Markov-chain MSD, uniform lattice only), `provenance`.
 * - `transport fit FILE`: fit the analytic model to an MSD(t) (JSON of `analyze`/`simulate`, or a
 *   table with columns t (ns), MSD, stderr) and report gamma_FRET, gamma_BD, gamma_DB, gamma_trap.
 */
import { type Command, Option } from 'commander';
import { InvalidInputError } from '../../core/errors.js';
import { formatNumber } from '../../core/quantity.js';
import { isHdf5 } from '../../io/hdf5.js';
import { readInputFile, recordOf } from '../../node/files.js';
import '../../node/workers.js';
import {
  MARKOV_PARAMS,
  type MarkovParamName,
  PRESETS,
  type TransportFitData,
  analyzeTransport,
  fitTransportModel,
  markovCurve,
  needsLattice,
  normalizeSimulationParams,
  preset,
  readTplmHdf5,
  readTplmText,
  simulateTransportParallel,
  simulationReport,
  tplmReport,
  transportFitReport,
} from '../../transport/index.js';
import type { CliContext } from '../context.js';
import { loadTable, parseAssignments, parseNames } from '../input.js';

function num(v: string | undefined, option: string): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x))
    throw new InvalidInputError(`${option}: "${v}" is not a number`);
  return x;
}

function int(v: string | undefined, option: string): number | undefined {
  const x = num(v, option);
  if (x !== undefined && !Number.isInteger(x))
    throw new InvalidInputError(`${option}: "${v}" is not an integer`);
  return x;
}

interface AnalyzeOpts {
  model?: 'gauss' | 'voigt' | 'gauss2d';
  layout: 'auto' | 'matrix' | 'long';
  timeUnit?: 'ps' | 'ns' | 'us';
  positionUnit?: 'nm' | 'um' | 'sites';
  t0?: string;
  tEnd?: string;
  cutoff?: string;
  length: 'sqrt(D*tau)' | 'sqrt(2*d*D*tau)';
  siteSpacingNm?: string;
  background: 'free' | 'none';
  dataset?: string;
  timeAxis?: string;
}

const HDF5_EXTENSION = /\.(h5|hdf5|hdf|he5|hspy|emd|nxs)$/i;

interface SimulateOpts {
  preset: string;
  gammaB?: string;
  gammaD?: string;
  gammaBd?: string;
  gammaDb?: string;
  gammaFret?: string;
  gammaTrap?: string;
  brightFraction?: string;
  sigma0Sites?: string;
  steps?: string;
  dtPs?: string;
  walkers?: string;
  seed?: string;
  dimension?: string;
  workers?: string;
  siteSpacingNm?: string;
}

interface FitOpts {
  dtPs: string;
  siteSpacingNm?: string;
  vary: string[];
  initial?: string;
  dimension?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/**
 * Register `nanolum transport` and its subcommands.
 *
 * @example
 * register(program, ctx); // then: nanolum transport simulate --preset 004-5nm-9K --json
 */
export function register(program: Command, ctx: CliContext): void {
  const transport = program
    .command('transport')
    .description('exciton transport: TPLM analysis, lattice Monte Carlo, model fits');

  transport
    .command('analyze')
    .description('MSD(t), D_avg, diffusion length and t_max from a transient PL microscopy cube')
    .argument(
      '<cube>',
      'delimited text: matrix (first row positions, first column times) or long (t, x[, y], counts); or HDF5 (.h5, .hdf5, .hspy)',
    )
    .addOption(
      new Option('--model <model>', 'profile model').choices(['gauss', 'voigt', 'gauss2d']),
    )
    .addOption(
      new Option('--layout <layout>', 'file layout')
        .choices(['auto', 'matrix', 'long'])
        .default('auto'),
    )
    .addOption(
      new Option(
        '--time-unit <unit>',
        'time unit of the file (default from the header, else ns)',
      ).choices(['ps', 'ns', 'us']),
    )
    .addOption(
      new Option(
        '--position-unit <unit>',
        'position unit of the file (default from the header, else um)',
      ).choices(['nm', 'um', 'sites']),
    )
    .option('--t0 <ns>', 'time zero (default: bin with the most PL)')
    .option('--t-end <ns>', 'last time analysed')
    .option('--cutoff <n>', 'D_avg cut-off in units of tau_PL (004: 5)')
    .addOption(
      new Option('--length <definition>', 'diffusion length definition')
        .choices(['sqrt(D*tau)', 'sqrt(2*d*D*tau)'])
        .default('sqrt(D*tau)'),
    )
    .option('--site-spacing-nm <nm>', 'nanocrystal spacing, when positions are in lattice sites')
    .addOption(
      new Option('--background <mode>', 'constant background in each profile')
        .choices(['free', 'none'])
        .default('free'),
    )
    .option(
      '--dataset <path>',
      'HDF5: the PL dataset (or HyperSpy signal name); default: found from the file',
    )
    .option(
      '--time-axis <dim>',
      'HDF5: which stored dimension is time (0-based index or axis name); default: from the calibration',
    )
    .action(async (cubePath: string, opts: AnalyzeOpts, command: Command) => {
      const file = await readInputFile(cubePath);
      const hdf5 = isHdf5(file.bytes) || HDF5_EXTENSION.test(file.name);
      if (!hdf5 && (opts.dataset !== undefined || opts.timeAxis !== undefined)) {
        throw new InvalidInputError(
          `--dataset and --time-axis apply to HDF5 files; ${file.name} is text`,
        );
      }
      const timeAxis =
        opts.timeAxis === undefined
          ? undefined
          : /^\d+$/.test(opts.timeAxis.trim())
            ? Number(opts.timeAxis)
            : opts.timeAxis;
      const cube = hdf5
        ? await readTplmHdf5(file.bytes, {
            fileName: file.name,
            path: opts.dataset,
            timeAxis,
            timeUnit: opts.timeUnit,
            positionUnit: opts.positionUnit,
          })
        : readTplmText(new TextDecoder().decode(file.bytes), {
            fileName: file.name,
            layout: opts.layout,
            timeUnit: opts.timeUnit,
            positionUnit: opts.positionUnit,
          });
      const r = analyzeTransport(cube, {
        model: opts.model,
        tZeroNs: num(opts.t0, '--t0'),
        tEndNs: num(opts.tEnd, '--t-end'),
        cutoffTauMultiple: num(opts.cutoff, '--cutoff'),
        diffusionLength: opts.length,
        siteSpacingNm: num(opts.siteSpacingNm, '--site-spacing-nm'),
        background: opts.background,
      });
      r.provenance.inputs.push(recordOf(file));
      if (ctx.globals(command).json) {
        ctx.json({
          file: file.name,
          msd: r.msd,
          dAvgCm2PerS: r.dAvgCm2PerS,
          dAvgStderr: r.dAvgStderr,
          dLinear: r.dLinear,
          anomalous: r.anomalous,
          tauPlNs: r.tauPlNs,
          tauPlStderr: r.tauPlStderr,
          diffusionLengthNm: r.diffusionLengthNm,
          diffusionLengthStderr: r.diffusionLengthStderr,
          diffusionLengthDefinition: r.diffusionLengthDefinition,
          tMaxNs: r.tMaxNs,
          tMaxAtEnd: r.tMaxAtEnd,
          model: r.model,
          method: r.method,
          t0Ns: r.t0Ns,
          fixedGammaLUm: r.fixedGammaLUm,
          bins: r.bins,
          totalPl: r.totalPl,
          warnings: r.warnings,
          provenance: r.provenance,
        });
      } else {
        ctx.out(`${file.name}\n${tplmReport(r)}\n`);
        ctx.out('  t (ns)      MSD (um^2)     stderr\n');
        for (const p of r.msd)
          ctx.out(
            `  ${formatNumber(p.tNs, 4).padEnd(10)}  ${formatNumber(p.msdUm2, 4).padEnd(13)}  ${formatNumber(p.stderr, 3)}\n`,
          );
      }
    });

  transport
    .command('simulate')
    .description('lattice Monte Carlo of paper 004 (bright/dark/trapped excitons, Forster hops)')
    .addOption(
      new Option('--preset <name>', 'parameter set')
        .choices(Object.keys(PRESETS))
        .default('004-5nm-9K'),
    )
    .option('--gamma-b <p>', 'bright radiative decay probability per step')
    .option('--gamma-d <p>', 'dark decay probability per step')
    .option('--gamma-bd <p>', 'bright -> dark probability per step')
    .option('--gamma-db <p>', 'dark -> bright probability per step')
    .option('--gamma-fret <p>', 'Forster probability per step to one nearest neighbour')
    .option('--gamma-trap <p>', 'bright -> trapped probability per step')
    .option('--bright-fraction <f>', 'fraction of excitons created bright')
    .option('--sigma0-sites <s>', 'initial Gaussian sigma in sites')
    .option('--steps <n>', 'time steps')
    .option('--dt-ps <ps>', 'time step in ps')
    .option('--walkers <n>', 'number of excitons')
    .option('--seed <n>', 'random seed')
    .option('--dimension <d>', '2 (square lattice) or 3 (cubic)')
    .option('--site-spacing-nm <nm>', 'nanocrystal spacing for the PL(x, t) axis')
    .option('--workers <n>', 'worker threads (default: all cores; 1 = this thread)')
    .addHelpText(
      'after',
      `
Presets: ${Object.entries(PRESETS)
        .map(([k, v]) => `\n  ${k}: ${v.description}`)
        .join('')}`,
    )
    .action(async (opts: SimulateOpts, command: Command) => {
      const base = preset(opts.preset);
      const dim = int(opts.dimension, '--dimension');
      if (dim !== undefined && dim !== 2 && dim !== 3)
        throw new InvalidInputError(`--dimension must be 2 or 3, got ${dim}`);
      const p = normalizeSimulationParams({
        ...base,
        gammaB: num(opts.gammaB, '--gamma-b') ?? base.gammaB,
        gammaD: num(opts.gammaD, '--gamma-d') ?? base.gammaD,
        gammaBD: num(opts.gammaBd, '--gamma-bd') ?? base.gammaBD,
        gammaDB: num(opts.gammaDb, '--gamma-db') ?? base.gammaDB,
        gammaFret: num(opts.gammaFret, '--gamma-fret') ?? base.gammaFret,
        gammaTrap: num(opts.gammaTrap, '--gamma-trap') ?? base.gammaTrap,
        brightFraction: num(opts.brightFraction, '--bright-fraction') ?? base.brightFraction,
        sigma0Sites: num(opts.sigma0Sites, '--sigma0-sites') ?? base.sigma0Sites,
        steps: int(opts.steps, '--steps') ?? base.steps,
        dtPs: num(opts.dtPs, '--dt-ps') ?? base.dtPs,
        walkers: int(opts.walkers, '--walkers') ?? base.walkers,
        seed: int(opts.seed, '--seed') ?? base.seed,
        dimension: (dim as 2 | 3 | undefined) ?? base.dimension,
        siteSpacingNm: num(opts.siteSpacingNm, '--site-spacing-nm') ?? base.siteSpacingNm,
      });
      const workers = int(opts.workers, '--workers');
      const bar = ctx.progress(command, 'simulating', 1);
      const r = await simulateTransportParallel(p, {
        workers: workers ?? (p.walkers * p.steps >= 2e7 ? undefined : 1),
        onProgress: (done, total) => bar.update(done / total),
      });
      bar.stop();
      const analytic = needsLattice(p) ? null : markovCurve(p, p.steps);
      if (ctx.globals(command).json) {
        ctx.json({
          preset: opts.preset,
          params: r.params,
          curve: r.curve.map((c, i) => ({
            ...c,
            msdAnalyticSites2: analytic ? analytic.msdSites2[i] : null,
          })),
          emissionsByState: r.emissionsByState,
          emitted: r.emitted,
          survivors: r.survivors,
          initialVarianceSites2: r.initialVarianceSites2,
          provenance: r.provenance,
        });
      } else {
        ctx.out(`${simulationReport(r)}\n`);
        ctx.out(
          '  t (ns)   photons   MSD displacement (sites^2)   MSD profile (sites^2)   analytic\n',
        );
        const every = Math.max(1, Math.floor(p.steps / 30));
        r.curve.forEach((c, i) => {
          if (i % every !== 0 && i !== p.steps - 1) return;
          const f = (v: number | null): string => (v === null ? 'n/a' : formatNumber(v, 4));
          ctx.out(
            `  ${formatNumber(c.tNs, 4).padEnd(7)}  ${String(c.emissions).padEnd(8)}  ${f(c.msdDisplacementSites2).padEnd(27)}  ${f(c.msdProfileSites2).padEnd(22)}  ${analytic ? formatNumber(analytic.msdSites2[i], 4) : 'n/a'}\n`,
          );
        });
      }
    });

  transport
    .command('fit')
    .description('fit the analytic bright/dark/trap model to a measured MSD(t) (and PL decay)')
    .argument(
      '<file>',
      'JSON from `transport analyze --json` or `transport simulate --json`, or a table: t (ns), MSD, stderr',
    )
    .option('--dt-ps <ps>', 'model time step in ps (per-step probabilities refer to it)', '25')
    .option(
      '--site-spacing-nm <nm>',
      'nanocrystal spacing (MSD in um^2); without it the MSD is in sites^2',
    )
    .option(
      '--vary <names>',
      `parameters to fit (default gammaFret,gammaBD,gammaDB,gammaTrap); from ${MARKOV_PARAMS.join(', ')}`,
      collect,
      [],
    )
    .option(
      '--initial <list>',
      'starting / fixed values, e.g. "gammaB=0.03,gammaD=0.0003,brightFraction=0.5"',
    )
    .option('--dimension <d>', 'lattice dimension of the model (2 or 3)', '2')
    .action(async (path: string, opts: FitOpts, command: Command) => {
      const dtPs = num(opts.dtPs, '--dt-ps') as number;
      let spacing = num(opts.siteSpacingNm, '--site-spacing-nm') ?? null;
      let data: TransportFitData;
      let initialFromFile: Partial<Record<MarkovParamName, number>> = {};
      if (/\.json$/i.test(path)) {
        const file = await readInputFile(path);
        let j: Record<string, unknown>;
        try {
          j = JSON.parse(new TextDecoder().decode(file.bytes)) as Record<string, unknown>;
        } catch (e) {
          throw new InvalidInputError(`${file.name}: not valid JSON (${(e as Error).message})`);
        }
        if (Array.isArray(j.curve)) {
          const curve = j.curve as Array<{
            tNs: number;
            emissions: number;
            msdDisplacementSites2: number | null;
            msdDisplacementStderr: number | null;
          }>;
          const prm = (j.params ?? {}) as Record<string, number>;
          spacing = null;
          data = {
            msd: curve
              .filter((c) => c.emissions >= 20 && c.msdDisplacementSites2 !== null)
              .map((c) => ({
                tNs: c.tNs,
                msdSites2: c.msdDisplacementSites2 as number,
                stderr: c.msdDisplacementStderr,
              })),
            pl: curve.map((c) => ({ tNs: c.tNs, counts: c.emissions })),
          };
          for (const k of ['gammaB', 'gammaD', 'brightFraction'] as const)
            if (typeof prm[k] === 'number') initialFromFile[k] = prm[k];
        } else if (Array.isArray(j.msd)) {
          data = {
            msd: (j.msd as Array<{ tNs: number; msdUm2: number; stderr: number }>).map((p) => ({
              tNs: p.tNs,
              msdUm2: p.msdUm2,
              msdSites2: p.msdUm2,
              stderr: p.stderr,
            })),
          };
        } else
          throw new InvalidInputError(
            `${file.name}: expected the JSON of "transport analyze" (msd) or "transport simulate" (curve)`,
          );
      } else {
        const { table } = await loadTable(path);
        if (table.columns.length < 3)
          throw new InvalidInputError(`${path}: need 3 columns: t (ns), MSD, stderr`);
        const t = table.columns[0].values;
        const m = table.columns[1].values;
        const s = table.columns[2].values;
        data = {
          msd: Array.from(t, (tt, i) => ({ tNs: tt, msdUm2: m[i], msdSites2: m[i], stderr: s[i] })),
        };
        initialFromFile = {};
      }
      const vary = parseNames(opts.vary) as MarkovParamName[];
      const initial = {
        ...initialFromFile,
        ...(opts.initial
          ? (parseAssignments(opts.initial, '--initial') as Partial<
              Record<MarkovParamName, number>
            >)
          : {}),
      };
      for (const k of Object.keys(initial))
        if (!(MARKOV_PARAMS as readonly string[]).includes(k))
          throw new InvalidInputError(
            `--initial: unknown parameter "${k}"; known: ${MARKOV_PARAMS.join(', ')}`,
          );
      const dim = int(opts.dimension, '--dimension');
      if (dim !== 2 && dim !== 3)
        throw new InvalidInputError(`--dimension must be 2 or 3, got ${dim}`);
      const r = fitTransportModel(data, {
        dtPs,
        siteSpacingNm: spacing,
        dimension: dim,
        vary: vary.length ? vary : undefined,
        initial,
        reweightIterations: data.pl ? 2 : 0,
      });
      if (ctx.globals(command).json) {
        ctx.json({
          params: r.params,
          amplitude: r.amplitude,
          converged: r.converged,
          message: r.message,
          reducedChi2: r.reducedChi2,
          freeParams: r.fit.freeParams,
          correlation: r.fit.correlation,
          msdBest: r.msdBest,
          plBest: r.plBest,
          droppedPoints: r.droppedPoints,
          provenance: r.provenance,
        });
      } else ctx.out(`${transportFitReport(r)}\n`);
    });
}
