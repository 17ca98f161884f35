/**
 * Figures are plain data (JSON-serialisable), so a result can carry its figure and any renderer
 * (SVG in Node, live DOM in the browser, PNG) draws the same thing.
 */
export interface PlotAxisSpec {
  /** Axis label in words, without the unit: `Time`, `Wavelength`. */
  label: string;
  /** Unit shown in the label as `Time (ns)`; empty for dimensionless. */
  unit?: string;
  scale?: 'linear' | 'log';
  domain?: [number, number];
}

export interface SeriesBase {
  /** Legend entry. */
  label?: string;
  /** CSS colour; default from the figure's palette by series order. */
  color?: string;
}

/** Connected line (a model curve, a decay). */
export interface LineSeries extends SeriesBase {
  type: 'line';
  x: number[];
  y: number[];
  dashed?: boolean;
}

/** Markers, optionally with vertical error bars (± yErr). */
export interface ScatterSeries extends SeriesBase {
  type: 'scatter';
  x: number[];
  y: number[];
  yErr?: number[];
  radius?: number;
}

/** Histogram-style steps (TCSPC counts, histograms): x are bin left edges or centres. */
export interface StepSeries extends SeriesBase {
  type: 'step';
  x: number[];
  y: number[];
  /** `center` (default): x are bin centres; `left`: x are bin left edges. */
  align?: 'center' | 'left';
}

/** Shaded band between y1 and y2 (an uncertainty band). */
export interface BandSeries extends SeriesBase {
  type: 'band';
  x: number[];
  y1: number[];
  y2: number[];
  opacity?: number;
}

/** Horizontal reference line at y (e.g. zero residual, a threshold). */
export interface RuleSeries extends SeriesBase {
  type: 'rule-y';
  y: number;
  dashed?: boolean;
}

/** A 2-D image (map, FLIM, TA matrix): values row-major, rows along y. */
export interface HeatmapSeries extends SeriesBase {
  type: 'heatmap';
  width: number;
  height: number;
  values: number[];
  /** Extent of the image in axis units: [x0, x1] and [y0, y1]. */
  xExtent: [number, number];
  yExtent: [number, number];
  colorScheme?: string;
  /** Values mapped to the ends of the colour scale (default: the data range; diverging schemes such as `rdbu` are centred on zero). */
  colorDomain?: [number, number];
  /** Colour bar label with unit, e.g. `Lifetime (ns)`. */
  colorLabel?: string;
}

export type SeriesSpec =
  LineSeries | ScatterSeries | StepSeries | BandSeries | RuleSeries | HeatmapSeries;

export interface FigureSpec {
  title?: string;
  /** Width and height in CSS pixels (default 640 x 400). */
  width?: number;
  height?: number;
  x: PlotAxisSpec;
  y: PlotAxisSpec;
  series: SeriesSpec[];
  /** Optional residual panel under the main one, sharing x. */
  residuals?: { y: PlotAxisSpec; series: SeriesSpec[] };
  /** Show the legend (default: when any series has a label). */
  legend?: boolean;
}
