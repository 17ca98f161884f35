import { InvalidInputError } from '../core/errors.js';
import { PALETTE } from './style.js';
import type { FigureSpec, PlotAxisSpec, SeriesSpec } from './types.js';

/** Input of {@link fitFigure}: data, best-fit model at the data points, and optional extras. */
export interface FitFigureInput {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Model at the best-fit parameters, one value per data point. */
  best: ArrayLike<number>;
  /** Residuals to plot; default y - best. */
  residuals?: ArrayLike<number>;
  /** Standard deviation of each y, drawn as error bars. */
  yErr?: ArrayLike<number>;
  /** A smooth model curve on its own grid, drawn instead of `best` for the fit line. */
  curve?: { x: ArrayLike<number>; y: ArrayLike<number> };
  /** Uncertainty band of the model (e.g. ± 1 sigma prediction). */
  band?: {
    x: ArrayLike<number>;
    lower: ArrayLike<number>;
    upper: ArrayLike<number>;
    label?: string;
  };
  xAxis?: PlotAxisSpec;
  yAxis?: PlotAxisSpec;
  residualAxis?: PlotAxisSpec;
  title?: string;
  dataLabel?: string;
  fitLabel?: string;
  /** Draw the data as steps (histograms, TCSPC) instead of markers. */
  dataAsSteps?: boolean;
  width?: number;
  height?: number;
}

function arr(a: ArrayLike<number>): number[] {
  return Array.from(a, (v) => +v);
}

function sameLength(name: string, a: ArrayLike<number> | undefined, n: number): void {
  if (a !== undefined && a.length !== n) {
    throw new InvalidInputError(`fit figure: ${name} has ${a.length} values but x has ${n}`);
  }
}

/**
 * A data + fit figure with a residual panel underneath (zero line, same x range).
 *
 * @example
 * const r = fit(model, x, y, params);
 * const fig = fitFigure({ x, y, best: r.best, xAxis: { label: 'Temperature', unit: 'K' }, yAxis: { label: 'Signal' } });
 */
export function fitFigure(input: FitFigureInput): FigureSpec {
  const n = input.x.length;
  sameLength('y', input.y, n);
  sameLength('best', input.best, n);
  sameLength('residuals', input.residuals, n);
  sameLength('yErr', input.yErr, n);
  const x = arr(input.x);
  const y = arr(input.y);
  const best = arr(input.best);
  const residuals = input.residuals ? arr(input.residuals) : y.map((v, i) => v - best[i]);
  const series: SeriesSpec[] = [];
  const dataColor = PALETTE[0];
  const fitColor = PALETTE[1];
  if (input.band) {
    series.push({
      type: 'band',
      x: arr(input.band.x),
      y1: arr(input.band.lower),
      y2: arr(input.band.upper),
      label: input.band.label ?? 'Model ± 1σ',
      color: fitColor,
      opacity: 0.2,
    });
  }
  if (input.dataAsSteps) {
    series.push({ type: 'step', x, y, label: input.dataLabel ?? 'Data', color: dataColor });
  } else {
    series.push({
      type: 'scatter',
      x,
      y,
      ...(input.yErr ? { yErr: arr(input.yErr) } : {}),
      label: input.dataLabel ?? 'Data',
      color: dataColor,
    });
  }
  const curve = input.curve ? { x: arr(input.curve.x), y: arr(input.curve.y) } : { x, y: best };
  series.push({
    type: 'line',
    x: curve.x,
    y: curve.y,
    label: input.fitLabel ?? 'Fit',
    color: fitColor,
  });
  return {
    ...(input.title ? { title: input.title } : {}),
    ...(input.width ? { width: input.width } : {}),
    height: input.height ?? 460,
    x: input.xAxis ?? { label: 'x' },
    y: input.yAxis ?? { label: 'y' },
    series,
    residuals: {
      y: input.residualAxis ?? { label: 'Residual', unit: input.yAxis?.unit },
      series: [
        { type: 'rule-y', y: 0 },
        input.dataAsSteps
          ? { type: 'step', x, y: residuals, color: dataColor }
          : { type: 'scatter', x, y: residuals, color: dataColor },
      ],
    },
  };
}

/** Input of {@link decayFigure}: a photon-counting decay and, optionally, its fit. */
export interface DecayFigureInput {
  timeNs: ArrayLike<number>;
  counts: ArrayLike<number>;
  /** Fitted model at every time point; adds the fit line and a residual panel. */
  best?: ArrayLike<number>;
  /** Residuals to plot; default the Pearson residuals (counts - best) / sqrt(best). */
  residuals?: ArrayLike<number>;
  title?: string;
  dataLabel?: string;
  fitLabel?: string;
  /** Log y axis (default true). Zero-count bins are then not drawn. */
  logY?: boolean;
  width?: number;
  height?: number;
}

/**
 * A PL/TCSPC decay figure: counts against time on a log axis, with the fit and Pearson
 * residuals (counts - fit) / sqrt(fit) when `best` is given.
 *
 * @example
 * const fig = decayFigure({ timeNs, counts, best: result.best, title: 'CsPbBr3 PL decay' });
 */
export function decayFigure(input: DecayFigureInput): FigureSpec {
  const n = input.timeNs.length;
  if (input.counts.length !== n) {
    throw new InvalidInputError(
      `decay figure: counts has ${input.counts.length} values but timeNs has ${n}`,
    );
  }
  const yAxis: PlotAxisSpec = { label: 'Counts', scale: input.logY === false ? 'linear' : 'log' };
  const xAxis: PlotAxisSpec = { label: 'Time', unit: 'ns' };
  if (!input.best) {
    const x = arr(input.timeNs);
    const y = arr(input.counts);
    return {
      ...(input.title ? { title: input.title } : {}),
      ...(input.width ? { width: input.width } : {}),
      ...(input.height ? { height: input.height } : {}),
      x: xAxis,
      y: yAxis,
      series: [
        {
          type: 'scatter',
          x,
          y,
          label: input.dataLabel ?? 'Counts',
          color: PALETTE[0],
          radius: n > 400 ? 1.5 : 2.2,
        },
      ],
      legend: false,
    };
  }
  sameLength('best', input.best, n);
  const best = arr(input.best);
  const counts = arr(input.counts);
  const residuals = input.residuals
    ? arr(input.residuals)
    : counts.map((c, i) => (best[i] > 0 ? (c - best[i]) / Math.sqrt(best[i]) : NaN));
  const fig = fitFigure({
    x: input.timeNs,
    y: counts,
    best,
    residuals,
    xAxis,
    yAxis,
    residualAxis: { label: 'Pearson resid.' },
    title: input.title,
    dataLabel: input.dataLabel ?? 'Counts',
    fitLabel: input.fitLabel ?? 'Fit',
    width: input.width,
    height: input.height,
  });
  const r = n > 400 ? 1.5 : 2.2;
  for (const s of [...fig.series, ...(fig.residuals?.series ?? [])])
    if (s.type === 'scatter') s.radius = r;
  return fig;
}
