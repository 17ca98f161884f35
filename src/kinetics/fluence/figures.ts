/**
 * Figures (plain `FigureSpec` data) for fluence series: TRPL traces with their global fit and
 * residuals, and PL quantum efficiency against the mean excitation number.
 *
 * @module
 */
import { paletteColor } from '../../plot/style.js';
import type { FigureSpec, SeriesSpec } from '../../plot/types.js';
import type { FluenceFitResult } from './fit.js';
import type { PlqeFitResult, PlqeParams } from './plqe.js';
import { plqeAtFluence } from './plqe.js';

/**
 * TRPL traces of a fluence series with the global fit (log intensity) and residuals.
 *
 * @example
 * fluenceSeriesFigure(fitFluenceSeries(traces, { model: 'bt' }));
 */
export function fluenceSeriesFigure(
  r: FluenceFitResult,
  options: { title?: string; logY?: boolean } = {},
): FigureSpec {
  const log = options.logY ?? true;
  const series: SeriesSpec[] = [];
  const residuals: SeriesSpec[] = [{ type: 'rule-y', y: 0 }];
  r.traces.forEach((tr, k) => {
    const color = paletteColor(k);
    const r0 = tr.timesNs.length > 400 ? 1.2 : 1.8;
    series.push({
      type: 'scatter',
      x: tr.timesNs,
      y: tr.signal,
      label: tr.label,
      color,
      radius: r0,
    });
    series.push({ type: 'line', x: tr.timesNs, y: tr.best, color });
    residuals.push({ type: 'scatter', x: tr.timesNs, y: tr.residuals, color, radius: r0 });
  });
  return {
    title: options.title ?? `TRPL fluence series, global ${r.model.toUpperCase()} fit`,
    height: 480,
    x: { label: 'Time', unit: 'ns' },
    y: { label: 'PL intensity (normalised)', scale: log ? 'log' : 'linear' },
    series,
    residuals: { y: { label: 'Residual' }, series: residuals },
  };
}

/**
 * Relative PL QE against <N> = sigma J (log axis) with the fitted model curve and residuals.
 *
 * @example
 * plqeFigure(fitPlqeVsFluence(J, qe));
 */
export function plqeFigure(
  r: PlqeFitResult,
  title = 'PL quantum efficiency against excitation',
): FigureSpec {
  const p: PlqeParams = {
    sigmaCm2: r.sigmaCm2.value,
    eta0: r.eta0.value,
    kappa: r.kappa.value,
    scale: r.scale.value,
    biexcitonYield: r.biexcitonYield.value,
  };
  const nLo = Math.min(...r.meanExcitation);
  const nHi = Math.max(...r.meanExcitation);
  const xs = Array.from({ length: 121 }, (_, i) => nLo * Math.pow(nHi / nLo, i / 120));
  return {
    title,
    height: 440,
    x: { label: '⟨N⟩ = σ J (absorbed photons per nanocrystal per pulse)', scale: 'log' },
    y: { label: 'Relative PL QE' },
    series: [
      { type: 'scatter', x: r.meanExcitation, y: r.qe, label: 'Data' },
      {
        type: 'line',
        x: xs,
        y: xs.map((n) => plqeAtFluence(n / p.sigmaCm2, p)),
        label: 'Poisson / trap-filling / Auger model',
      },
    ],
    residuals: {
      y: { label: 'Residual' },
      series: [
        { type: 'rule-y', y: 0 },
        { type: 'scatter', x: r.meanExcitation, y: r.residuals },
      ],
    },
  };
}
