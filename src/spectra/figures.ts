/**
 * Figures (plain `FigureSpec` data) for spectra: a peak fit with its components and residuals,
 * and the CIE 1931 chromaticity diagram with gamuts.
 */
import { fitFigure } from '../plot/figures.js';
import { PALETTE } from '../plot/style.js';
import type { FigureSpec, SeriesSpec } from '../plot/types.js';
import {
  type Chromaticity,
  REC2020_PRIMARIES,
  convexHull,
  monochromaticChromaticity,
} from './chromaticity.js';
import type { PeakFitResult } from './fit.js';

function axisLabel(name: string): string {
  return name ? name.charAt(0).toUpperCase() + name.slice(1) : 'x';
}

/**
 * Data, best fit, each peak (on the baseline) and the baseline, with a residual panel.
 *
 * @example
 * const fig = peakFitFigure(fitPeaks(pl, { peaks: 2 }));
 */
export function peakFitFigure(r: PeakFitResult, options: { title?: string } = {}): FigureSpec {
  const c = r.curves;
  const fig = fitFigure({
    x: c.x,
    y: c.y,
    best: c.best,
    residuals: c.residuals,
    title: options.title ?? `${r.peaks.length} ${r.shape} peak${r.peaks.length > 1 ? 's' : ''}`,
    xAxis: { label: axisLabel(r.xName), unit: r.xUnit },
    yAxis: { label: 'Intensity', unit: r.unit },
  });
  const extra: SeriesSpec[] = c.peaks.map((p, k) => ({
    type: 'line',
    x: c.x,
    y: p.map((v, i) => v + c.baseline[i]),
    label: `Peak ${k + 1}`,
    color: PALETTE[(k + 2) % PALETTE.length],
    dashed: true,
  }));
  if (r.baseline !== 'none')
    extra.push({
      type: 'line',
      x: c.x,
      y: c.baseline,
      label: 'Baseline',
      color: '#777777',
      dashed: true,
    });
  return { ...fig, series: [...fig.series, ...extra] };
}

/**
 * CIE 1931 xy diagram: the spectral locus (380-700 nm), the Rec. 2020 triangle, and the given
 * emitters with the polygon (hull) they span. Points with `inGamut: false` are drawn but do not
 * span the gamut (e.g. a sample's PL shown beside the display primaries).
 *
 * @example
 * const fig = chromaticityFigure([{ label: 'red QD LED', ...chromaticity(red) }, ...]);
 */
export function chromaticityFigure(
  points: (Chromaticity & { label?: string; inGamut?: boolean })[],
  options: { title?: string } = {},
): FigureSpec {
  const locus: Chromaticity[] = [];
  for (let nm = 380; nm <= 700; nm += 2) locus.push(monochromaticChromaticity(nm));
  locus.push(locus[0]);
  const rec = [
    REC2020_PRIMARIES.red,
    REC2020_PRIMARIES.green,
    REC2020_PRIMARIES.blue,
    REC2020_PRIMARIES.red,
  ];
  const series: SeriesSpec[] = [
    {
      type: 'line',
      x: locus.map((p) => p.x),
      y: locus.map((p) => p.y),
      label: 'Spectral locus',
      color: '#444444',
    },
    {
      type: 'line',
      x: rec.map((p) => p.x),
      y: rec.map((p) => p.y),
      label: 'Rec. 2020',
      color: '#999999',
      dashed: true,
    },
  ];
  const primaries = points.filter((p) => p.inGamut !== false);
  if (primaries.length >= 3) {
    const hull = convexHull(primaries);
    const closed = [...hull, hull[0]];
    series.push({
      type: 'line',
      x: closed.map((p) => p.x),
      y: closed.map((p) => p.y),
      label: 'Emitter gamut',
      color: PALETTE[1],
    });
  }
  points.forEach((p, k) => {
    series.push({
      type: 'scatter',
      x: [p.x],
      y: [p.y],
      label: p.label ?? `Emitter ${k + 1}`,
      color: PALETTE[(k + 2) % PALETTE.length],
      radius: 4,
    });
  });
  return {
    title: options.title ?? 'CIE 1931 chromaticity',
    width: 520,
    height: 520,
    x: { label: 'x', domain: [0, 0.8] },
    y: { label: 'y', domain: [0, 0.9] },
    series,
  };
}
