/**
 * Figure (plain `FigureSpec` data) of an XPS fit: counts, best fit, each component doublet on the
 * background, the background, and residuals, on a binding-energy axis drawn high to low.
 */
import { fitFigure } from '../plot/figures.js';
import { PALETTE } from '../plot/style.js';
import type { FigureSpec, SeriesSpec } from '../plot/types.js';
import type { XpsFitResult } from './fit.js';

/**
 * XPS fit figure with residual panel.
 *
 * @example
 * const fig = xpsFitFigure(fitXps(spectrum, { doublet: 'Au4f', photonEnergyEv: 180 }));
 */
export function xpsFitFigure(r: XpsFitResult, options: { title?: string } = {}): FigureSpec {
  const c = r.curves;
  const lo = c.bindingEnergy[0];
  const hi = c.bindingEnergy[c.bindingEnergy.length - 1];
  const fig = fitFigure({
    x: c.bindingEnergy,
    y: c.counts,
    best: c.best,
    residuals: c.residuals,
    title:
      options.title ??
      (r.doublet ? `${r.doublet.element} ${r.doublet.major.replace(/\d\/\d$/, '')}` : 'XPS'),
    xAxis: { label: 'Binding energy', unit: 'eV', domain: [hi, lo] },
    yAxis: { label: 'Intensity', unit: 'counts' },
  });
  const extra: SeriesSpec[] = c.components.map((comp, k) => ({
    type: 'line',
    x: c.bindingEnergy,
    y: comp.major.map((v, i) => v + comp.minor[i] + c.background[i]),
    label: comp.label,
    color: PALETTE[(k + 2) % PALETTE.length],
    dashed: true,
  }));
  extra.push({
    type: 'line',
    x: c.bindingEnergy,
    y: c.background,
    label: `${r.background.kind} background`,
    color: '#777777',
    dashed: true,
  });
  return { ...fig, series: [...fig.series, ...extra] };
}
