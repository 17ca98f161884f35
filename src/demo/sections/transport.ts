/**
 * Demo section "Exciton transport": a synthetic transient PL microscopy cube analysed as in
 * paper 004 (Voigt profiles per 25 ps bin, MSD(t), D_avg, diffusion length), then the lattice
 * Monte Carlo of 004: negative diffusion at 9 K, the slow second rise with dark->bright
 * excitation, the trap model's t_max, and the exact analytic Markov model over the simulations;
 * finally the analytic model fitted back to a simulated MSD.
 */
import type { FigureSpec, SeriesSpec } from '../../plot/types.js';
import type { ReportBlock } from '../../report/types.js';
import {
  analyzeTransport,
  darkPlateau,
  fitTransportModel,
  markovCurve,
  preset,
  simulateTransport,
  synthesizeTplmCube,
  tplmReport,
  transportFitReport,
} from '../../transport/index.js';
import type { DemoSection } from '../types.js';

const COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00'];

function r3(v: number | null): number | null {
  return v === null ? null : Number(v.toPrecision(4));
}

function argmax(v: ArrayLike<number>): number {
  let k = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[k]) k = i;
  return k;
}

export const transportSection: DemoSection = {
  id: 'transport',
  title: 'Exciton transport',
  async run(ctx) {
    const blocks: ReportBlock[] = [];
    // 1. TPLM analysis of a synthetic cube with known D and tau.
    const truth = { sigma0Um: 0.25, dCm2PerS: 0.5, tauNs: 0.8, gammaLUm: 0.05 };
    const cube = synthesizeTplmCube({ ...truth, bins: 80, seed: ctx.rngSeed('tplm') });
    const tplm = analyzeTransport(cube, { model: 'voigt' });
    const nx = cube.axes[1].size;
    const x = Array.from({ length: nx }, (_, i) => cube.axes[1].offset + i * cube.axes[1].scale);
    const profileSeries: SeriesSpec[] = [0, 20, 40, 79].map((k, j) => ({
      type: 'line' as const,
      x,
      y: Array.from(
        cube.data.subarray(k * nx, (k + 1) * nx),
        (v) => v / Math.max(1, tplm.bins[k].totalCounts),
      ),
      label: `${(k * 0.025).toFixed(2)} ns`,
      color: COLORS[j],
    }));
    const profiles: FigureSpec = {
      title: 'Normalised PL profiles broaden with time',
      x: { label: 'Position', unit: 'um' },
      y: { label: 'PL / total PL' },
      series: profileSeries,
    };
    const msdFig: FigureSpec = {
      title: 'MSD(t) = sigma^2(t) - sigma^2(0) from Voigt fits',
      x: { label: 'Time', unit: 'ns' },
      y: { label: 'MSD', unit: 'um^2' },
      series: [
        {
          type: 'scatter',
          x: tplm.msd.map((p) => p.tNs),
          y: tplm.msd.map((p) => p.msdUm2),
          yErr: tplm.msd.map((p) => p.stderr),
          label: 'MSD from profile fits',
        },
        {
          type: 'line',
          x: tplm.msd.map((p) => p.tNs),
          y: tplm.msd.map((p) => (2 * truth.dCm2PerS * p.tNs) / 10),
          label: 'truth 2 D t',
          dashed: true,
          color: COLORS[1],
        },
        ...(tplm.dLinear
          ? [
              {
                type: 'line' as const,
                x: tplm.msd.map((p) => p.tNs),
                y: tplm.msd.map(
                  (p) => (2 * (tplm.dLinear as { dCm2PerS: number }).dCm2PerS * p.tNs) / 10,
                ),
                label: 'weighted linear fit',
                color: COLORS[2],
              },
            ]
          : []),
      ],
    };
    blocks.push(
      {
        kind: 'text',
        text:
          `A synthetic PL(x, t) cube (Voigt profile, Gaussian sigma0 = ${truth.sigma0Um} um, Lorentzian HWHM ${truth.gammaLUm} um, ` +
          `D = ${truth.dCm2PerS} cm^2/s, tau = ${truth.tauNs} ns, Poisson counts, 25 ps bins) analysed as in paper 004: ` +
          'a Voigt fit per time bin with the Lorentzian held after the first bin, MSD(t) = sigma^2(t) - sigma^2(0), ' +
          'the PL-weighted D_avg of 004 eqn 2 up to 5 tau_PL, tau_PL as the 1/e time of the total PL and L = sqrt(D tau).',
      },
      {
        kind: 'figure',
        figure: profiles,
        caption: 'Profiles at four delays, each divided by its total PL.',
      },
      {
        kind: 'figure',
        figure: msdFig,
        caption: 'MSD with standard errors; the dashed line is the truth.',
      },
      { kind: 'pre', text: tplmReport(tplm), caption: 'TPLM analysis report' },
    );

    // 2. Monte Carlo: negative diffusion and what removes it.
    const walkers = 100_000;
    const seed = ctx.rngSeed('monte-carlo') % 1_000_000;
    const cases = [
      { name: '9 K (004: gamma_DB = 0)', p: { ...preset('004-5nm-9K'), walkers, seed } },
      { name: 'warmer (gamma_DB = 0.02)', p: { ...preset('004-5nm-warm'), walkers, seed } },
      {
        name: 'warmer (gamma_DB = 0.1)',
        p: { ...preset('004-5nm-9K'), gammaDB: 0.1, walkers, seed },
      },
    ];
    const mcSeries: SeriesSpec[] = [];
    const mcResults: Record<string, unknown> = {};
    cases.forEach((c, j) => {
      const sim = simulateTransport(c.p);
      const an = markovCurve(c.p, c.p.steps);
      const pts = sim.curve.filter((q) => q.emissions >= 20);
      mcSeries.push({
        type: 'scatter',
        x: pts.map((q) => q.tNs),
        y: pts.map((q) => q.msdDisplacementSites2 as number),
        label: `${c.name}, simulated`,
        color: COLORS[j],
        radius: 1.5,
      });
      mcSeries.push({
        type: 'line',
        x: sim.curve.map((q) => q.tNs),
        y: Array.from(an.msdSites2),
        label: `${c.name}, analytic`,
        color: COLORS[j],
      });
      const k = argmax(an.msdSites2);
      mcResults[c.name] = {
        peakSites2: r3(an.msdSites2[k]),
        tPeakNs: r3(k * 0.025),
        lastSites2: r3(an.msdSites2[an.msdSites2.length - 1]),
        photons: sim.emitted,
      };
    });
    const plateau = darkPlateau(preset('004-5nm-9K'));
    blocks.push(
      {
        kind: 'text',
        text:
          `Lattice Monte Carlo of 004 (2-D, Forster hops to 4 nearest and 4 next-nearest crystals, 25 ps steps, ${walkers} excitons, ` +
          'half created bright). At 9 K the bright excitons hop (about 2.25 hops each) and then either emit or relax to the dark ' +
          'state, where they stop. The MSD of the emitted excitons rises within ~0.4 ns and falls back ("negative diffusion") to the ' +
          `plateau of the dark excitons that hopped before turning dark: ${plateau.plateauSites2.toFixed(3)} sites^2 in closed form ` +
          '(markov.ts, darkPlateau). Thermal dark->bright excitation turns the fall into a slow second rise. Markers: simulation; ' +
          'lines: the exact Markov-chain model.',
      },
      {
        kind: 'figure',
        figure: {
          title: 'Negative diffusion and its removal by dark->bright excitation',
          x: { label: 'Time', unit: 'ns' },
          y: { label: 'MSD of emitters', unit: 'sites^2' },
          series: mcSeries,
          height: 440,
        },
        caption: 'MSD per axis of the emitted excitons (displacement from their start).',
      },
    );

    // 3. Trap model: t_max against the trap rate (004 Fig. 3c, d).
    const trapSeries: SeriesSpec[] = [];
    const tmax: Array<Array<string | number | null>> = [];
    [0.025, 0.01, 0.005].forEach((g, j) => {
      const p = { ...preset('004-trap'), gammaTrap: g };
      const an = markovCurve(p, p.steps);
      trapSeries.push({
        type: 'line',
        x: Array.from({ length: p.steps }, (_, i) => i * 0.025),
        y: Array.from(an.msdSites2),
        label: `gamma_trap = ${g}`,
        color: COLORS[j],
      });
      const k = argmax(an.msdSites2);
      tmax.push([g, Number((k * 0.025).toFixed(3)), Number(an.msdSites2[k].toFixed(2))]);
    });
    blocks.push(
      {
        kind: 'figure',
        figure: {
          title: 'Trap model: t_max moves later as the trap rate falls',
          x: { label: 'Time', unit: 'ns' },
          y: { label: 'MSD of emitters', unit: 'sites^2' },
          series: trapSeries,
        },
        caption:
          'Analytic MSD of the trap model (deep traps from the bright state, trapped radiative rate 1/100, no detrapping).',
      },
      {
        kind: 'table',
        columns: ['gamma_trap (per step)', 't_max (ns)', 'MSD at t_max (sites^2)'],
        rows: tmax,
      },
    );

    // 4. Fit the analytic model back to a simulated MSD and PL decay.
    const truthP = { ...preset('004-5nm-warm'), walkers: 200_000, seed: seed + 1 };
    const sim = simulateTransport(truthP);
    const msd = sim.curve
      .filter((q) => q.emissions >= 30)
      .map((q) => ({
        tNs: q.tNs,
        msdSites2: q.msdDisplacementSites2 as number,
        stderr: q.msdDisplacementStderr,
      }));
    const fitR = fitTransportModel(
      { msd, pl: sim.curve.map((q) => ({ tNs: q.tNs, counts: q.emissions })) },
      {
        dtPs: 25,
        initial: {
          gammaB: 0.03,
          gammaD: 0.0003,
          brightFraction: 0.5,
          gammaTrap: 0,
          gammaFret: 0.05,
          gammaBD: 0.1,
          gammaDB: 0.05,
        },
        vary: ['gammaFret', 'gammaBD', 'gammaDB'],
        reweightIterations: 2,
      },
    );
    const fitRows = (['gammaFret', 'gammaBD', 'gammaDB'] as const).map((k) => [
      k,
      truthP[k],
      r3(fitR.params[k].value),
      r3(fitR.params[k].stderr),
    ]);
    blocks.push(
      {
        kind: 'table',
        columns: ['parameter', 'truth', 'fitted', 'stderr'],
        rows: fitRows,
        caption: 'The analytic model fitted to a simulated MSD(t) and PL decay (200,000 excitons).',
      },
      { kind: 'pre', text: transportFitReport(fitR), caption: 'Model fit report' },
    );

    return {
      section: { id: 'transport', title: 'Exciton transport', blocks },
      results: {
        tplm: {
          truth,
          dAvgCm2PerS: tplm.dAvgCm2PerS,
          dAvgStderr: tplm.dAvgStderr,
          dLinearCm2PerS: tplm.dLinear?.dCm2PerS ?? null,
          tauPlNs: tplm.tauPlNs,
          diffusionLengthNm: tplm.diffusionLengthNm,
          diffusionLengthDefinition: tplm.diffusionLengthDefinition,
        },
        monteCarlo: mcResults,
        darkPlateauSites2: plateau.plateauSites2,
        trapTMax: tmax,
        modelFit: Object.fromEntries(
          fitRows.map((r) => [r[0], { truth: r[1], value: r[2], stderr: r[3] }]),
        ),
      },
    };
  },
};
