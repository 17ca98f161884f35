import * as Plot from '@observablehq/plot';
import { InvalidInputError } from '../core/errors.js';
import { encodeIndexedPng, base64 } from './png.js';
import { FONT_FAMILY, FONT_SIZE, INK, RULE_COLOR, axisTitle, paletteColor } from './style.js';
import { type AxisTicks, linearTicks, logTicks } from './ticks.js';
import type { FigureSpec, HeatmapSeries, PlotAxisSpec, SeriesSpec } from './types.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Options of the renderers. */
export interface RenderOptions {
  /** DOM document used to build the SVG; default `globalThis.document`. In Node pass a linkedom document. */
  document?: Document;
}

type Domain = [number, number];

interface Point {
  x: number;
  y: number;
}

interface ErrorBar {
  x: number;
  y1: number;
  y2: number;
}

interface BandPoint {
  x: number;
  y1: number;
  y2: number;
}

/** A series after validation and filtering of points that cannot be drawn. */
type CleanSeries =
  | {
      type: 'line' | 'step';
      color: string;
      label?: string;
      points: Point[];
      dashed: boolean;
      align: 'center' | 'left';
    }
  | {
      type: 'scatter';
      color: string;
      label?: string;
      points: Point[];
      errors: ErrorBar[];
      radius: number;
    }
  | { type: 'band'; color: string; label?: string; points: BandPoint[]; opacity: number }
  | { type: 'rule-y'; color: string; label?: string; y: number; dashed: boolean }
  | {
      type: 'heatmap';
      color: string;
      label?: string;
      spec: HeatmapSeries;
      vmin: number;
      vmax: number;
    };

function positiveOk(scale: PlotAxisSpec['scale'], v: number): boolean {
  return Number.isFinite(v) && (scale !== 'log' || v > 0);
}

function checkLength(
  name: string,
  what: string,
  a: ArrayLike<number> | undefined,
  n: number,
): void {
  if (a === undefined || a === null || typeof a.length !== 'number') {
    throw new InvalidInputError(`${name}: ${what} must be an array of numbers`);
  }
  if (a.length !== n) {
    throw new InvalidInputError(`${name}: ${what} has ${a.length} values but x has ${n}`);
  }
}

function cleanPanel(
  series: SeriesSpec[],
  panel: string,
  xScale: PlotAxisSpec['scale'],
  yScale: PlotAxisSpec['scale'],
): CleanSeries[] {
  if (!Array.isArray(series)) throw new InvalidInputError(`${panel}: series must be an array`);
  let colorIndex = 0;
  return series.map((s, i) => {
    if (!s || typeof s !== 'object')
      throw new InvalidInputError(`${panel} series ${i + 1}: not a series object`);
    const c = cleanSeries(s, i, colorIndex, panel, xScale, yScale);
    if (s.type !== 'rule-y' && s.type !== 'heatmap') colorIndex++;
    return c;
  });
}

function cleanSeries(
  s: SeriesSpec,
  index: number,
  colorIndex: number,
  panel: string,
  xScale: PlotAxisSpec['scale'],
  yScale: PlotAxisSpec['scale'],
): CleanSeries {
  const name = `${panel} series ${index + 1}${s.label ? ` ("${s.label}")` : ''}`;
  const color = s.color ?? (s.type === 'rule-y' ? RULE_COLOR : paletteColor(colorIndex));
  switch (s.type) {
    case 'line':
    case 'step': {
      checkLength(name, 'y', s.y, s.x?.length ?? 0);
      const points: Point[] = [];
      for (let i = 0; i < s.x.length; i++) {
        const x = +s.x[i];
        const y = +s.y[i];
        if (positiveOk(xScale, x) && positiveOk(yScale, y)) points.push({ x, y });
      }
      return {
        type: s.type,
        color,
        label: s.label,
        points,
        dashed: s.type === 'line' ? !!s.dashed : false,
        align: s.type === 'step' ? (s.align ?? 'center') : 'center',
      };
    }
    case 'scatter': {
      checkLength(name, 'y', s.y, s.x?.length ?? 0);
      if (s.yErr !== undefined) checkLength(name, 'yErr', s.yErr, s.x.length);
      const points: Point[] = [];
      const errors: ErrorBar[] = [];
      for (let i = 0; i < s.x.length; i++) {
        const x = +s.x[i];
        const y = +s.y[i];
        if (!positiveOk(xScale, x) || !positiveOk(yScale, y)) continue;
        points.push({ x, y });
        const e = s.yErr ? +s.yErr[i] : NaN;
        if (Number.isFinite(e) && e > 0) {
          let y1 = y - e;
          // On a log axis the lower end of a bar that reaches zero is drawn down to y/100.
          if (yScale === 'log' && !(y1 > 0)) y1 = y / 100;
          errors.push({ x, y1, y2: y + e });
        }
      }
      const radius = s.radius ?? (points.length > 400 ? 1.6 : points.length > 100 ? 2.2 : 3);
      return { type: 'scatter', color, label: s.label, points, errors, radius };
    }
    case 'band': {
      checkLength(name, 'y1', s.y1, s.x?.length ?? 0);
      checkLength(name, 'y2', s.y2, s.x.length);
      const points: BandPoint[] = [];
      for (let i = 0; i < s.x.length; i++) {
        const x = +s.x[i];
        const y1 = +s.y1[i];
        const y2 = +s.y2[i];
        if (positiveOk(xScale, x) && positiveOk(yScale, y1) && positiveOk(yScale, y2))
          points.push({ x, y1, y2 });
      }
      return { type: 'band', color, label: s.label, points, opacity: s.opacity ?? 0.25 };
    }
    case 'rule-y': {
      const y = +s.y;
      if (!positiveOk(yScale, y)) {
        throw new InvalidInputError(
          `${name}: rule at y = ${s.y} cannot be drawn on a ${yScale ?? 'linear'} axis`,
        );
      }
      return { type: 'rule-y', color, label: s.label, y, dashed: !!s.dashed };
    }
    case 'heatmap': {
      const { width, height, values } = s;
      if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
        throw new InvalidInputError(
          `${name}: width and height must be positive integers, got ${width} x ${height}`,
        );
      }
      if (!values || values.length !== width * height) {
        throw new InvalidInputError(
          `${name}: values has ${values?.length ?? 0} entries but width x height is ${width * height}`,
        );
      }
      if (xScale === 'log' || yScale === 'log') {
        throw new InvalidInputError(`${name}: a heatmap needs linear x and y axes`);
      }
      for (const [k, ext] of [
        ['xExtent', s.xExtent],
        ['yExtent', s.yExtent],
      ] as const) {
        if (!ext || !Number.isFinite(ext[0]) || !Number.isFinite(ext[1]) || ext[0] === ext[1]) {
          throw new InvalidInputError(`${name}: ${k} must be two different finite numbers`);
        }
      }
      let vmin = Infinity;
      let vmax = -Infinity;
      for (let i = 0; i < values.length; i++) {
        const v = +values[i];
        if (Number.isFinite(v)) {
          if (v < vmin) vmin = v;
          if (v > vmax) vmax = v;
        }
      }
      if (s.colorDomain) {
        [vmin, vmax] = s.colorDomain;
        if (!Number.isFinite(vmin) || !Number.isFinite(vmax) || vmin >= vmax) {
          throw new InvalidInputError(`${name}: colorDomain must be two increasing finite numbers`);
        }
      } else if (vmin > vmax) {
        vmin = 0;
        vmax = 1;
      } else if (
        DIVERGING_SCHEMES.has((s.colorScheme ?? '').toLowerCase()) &&
        vmin < 0 &&
        vmax > 0
      ) {
        // A diverging scheme is centred on zero, so that zero signal is drawn in the neutral colour.
        const m = Math.max(-vmin, vmax);
        vmin = -m;
        vmax = m;
      } else if (vmin === vmax) {
        const d = Math.abs(vmin) * 0.05 || 0.5;
        vmin -= d;
        vmax += d;
      }
      return { type: 'heatmap', color, label: s.label, spec: s, vmin, vmax };
    }
    default: {
      const t = (s as { type?: unknown }).type;
      throw new InvalidInputError(`${name}: unknown series type "${String(t)}"`);
    }
  }
}

function extent(values: number[]): Domain | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}

function padDomain(d: Domain | null, scale: PlotAxisSpec['scale'], fraction: number): Domain {
  if (!d) return scale === 'log' ? [1, 10] : [0, 1];
  let [lo, hi] = d;
  if (scale === 'log') {
    if (lo === hi) return [lo / 2, hi * 2];
    const f = (hi / lo) ** fraction;
    return [lo / f, hi * f];
  }
  if (lo === hi) {
    const h = Math.abs(lo) * 0.1 || 1;
    return [lo - h, hi + h];
  }
  const pad = (hi - lo) * fraction;
  lo -= pad;
  hi += pad;
  return [lo, hi];
}

function checkDomain(axis: PlotAxisSpec, what: string): Domain | null {
  if (!axis.domain) return null;
  const [a, b] = axis.domain;
  if (!Number.isFinite(a) || !Number.isFinite(b) || a === b) {
    throw new InvalidInputError(
      `${what} axis "${axis.label}": domain must be two different finite numbers`,
    );
  }
  if (axis.scale === 'log' && (a <= 0 || b <= 0)) {
    throw new InvalidInputError(
      `${what} axis "${axis.label}": a log axis needs a positive domain, got [${a}, ${b}]`,
    );
  }
  return [a, b];
}

function xValues(series: CleanSeries[]): number[] {
  const out: number[] = [];
  for (const s of series) {
    if (s.type === 'heatmap') out.push(s.spec.xExtent[0], s.spec.xExtent[1]);
    else if (s.type !== 'rule-y') for (const p of s.points) out.push(p.x);
  }
  return out;
}

function yValues(series: CleanSeries[]): number[] {
  const out: number[] = [];
  for (const s of series) {
    switch (s.type) {
      case 'heatmap':
        out.push(s.spec.yExtent[0], s.spec.yExtent[1]);
        break;
      case 'rule-y':
        out.push(s.y);
        break;
      case 'band':
        for (const p of s.points) out.push(p.y1, p.y2);
        break;
      case 'scatter':
        for (const p of s.points) out.push(p.y);
        for (const e of s.errors) out.push(e.y1, e.y2);
        break;
      default:
        for (const p of s.points) out.push(p.y);
    }
  }
  return out;
}

function axisTicks(domain: Domain, scale: PlotAxisSpec['scale'], count: number): AxisTicks {
  return scale === 'log'
    ? logTicks(domain[0], domain[1])
    : linearTicks(domain[0], domain[1], count);
}

const CHAR_EM: Record<string, number> = {
  '.': 0.278,
  ',': 0.278,
  ' ': 0.278,
  '(': 0.333,
  ')': 0.333,
  '−': 0.584,
  '-': 0.333,
  '×': 0.584,
  i: 0.222,
  l: 0.222,
  j: 0.222,
  f: 0.278,
  t: 0.278,
  r: 0.333,
  m: 0.833,
  w: 0.722,
  M: 0.833,
  W: 0.944,
  I: 0.278,
};

/**
 * Approximate width in px of `text` in the figure font (Liberation Sans / Arial metrics).
 *
 * @example
 * textWidth('100', 11); // about 18
 */
export function textWidth(text: string, size = FONT_SIZE): number {
  let em = 0;
  for (const c of text) {
    if (c in CHAR_EM) em += CHAR_EM[c];
    else if (/[0-9]/.test(c)) em += 0.556;
    else if (/[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]/.test(c)) em += 0.4;
    else if (/[A-Z]/.test(c)) em += 0.667;
    else em += 0.53;
  }
  return em * size;
}

function parseColor(c: string): [number, number, number] {
  const hex = /^#([0-9a-f]{6})$/i.exec(c.trim());
  if (hex) {
    const n = parseInt(hex[1], 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  }
  const rgb = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(c.trim());
  if (rgb) return [Math.round(+rgb[1]), Math.round(+rgb[2]), Math.round(+rgb[3])];
  return [128, 128, 128];
}

/** 255 colours of a named scheme from vmin to vmax (index 255 is left for transparent). */
function schemeColors(scheme: string, seriesName: string): Array<[number, number, number, number]> {
  let scale: { apply(v: unknown): unknown };
  try {
    scale = Plot.scale({
      color: { type: 'linear', scheme: scheme as Plot.ColorSchemeCase, domain: [0, 1] },
    });
  } catch {
    throw new InvalidInputError(
      `${seriesName}: unknown colour scheme "${scheme}" (try viridis, magma, inferno, turbo, rdbu)`,
    );
  }
  const out: Array<[number, number, number, number]> = [];
  for (let i = 0; i < 255; i++) {
    const [r, g, b] = parseColor(String(scale.apply(i / 254)));
    out.push([r, g, b, 255]);
  }
  return out;
}

/** Diverging colour schemes: centred on zero unless the series gives a colorDomain. */
const DIVERGING_SCHEMES = new Set([
  'rdbu',
  'rdylbu',
  'brbg',
  'prgn',
  'piyg',
  'puor',
  'rdgy',
  'rdylgn',
  'spectral',
  'buylrd',
]);

function heatmapPng(s: CleanSeries & { type: 'heatmap' }, flipX: boolean, flipY: boolean): string {
  const { width, height, values } = s.spec;
  const palette = schemeColors(s.spec.colorScheme ?? 'viridis', 'heatmap');
  palette.push([0, 0, 0, 0]);
  const idx = new Uint8Array(width * height);
  const span = s.vmax - s.vmin;
  for (let r = 0; r < height; r++) {
    const dataRow = flipY ? height - 1 - r : r;
    for (let c = 0; c < width; c++) {
      const dataCol = flipX ? width - 1 - c : c;
      const v = +values[dataRow * width + dataCol];
      idx[r * width + c] = Number.isFinite(v)
        ? Math.max(0, Math.min(254, Math.round(((v - s.vmin) / span) * 254)))
        : 255;
    }
  }
  return `data:image/png;base64,${base64(encodeIndexedPng(width, height, idx, palette))}`;
}

function colorBarPng(scheme: string): string {
  const palette = schemeColors(scheme, 'heatmap');
  const idx = new Uint8Array(255);
  for (let r = 0; r < 255; r++) idx[r] = 254 - r; // top row = vmax
  return `data:image/png;base64,${base64(encodeIndexedPng(1, 255, idx, palette))}`;
}

function el(
  doc: Document,
  tag: string,
  attrs: Record<string, string | number> = {},
  text?: string,
): Element {
  const e = doc.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    e.setAttribute(k, typeof v === 'number' ? String(Math.round(v * 100) / 100) : v);
  }
  if (text !== undefined) e.textContent = text;
  return e;
}

function dataMarks(series: CleanSeries[], clip: boolean): Plot.Markish[] {
  const marks: Plot.Markish[] = [];
  for (const s of series) {
    switch (s.type) {
      case 'band':
        marks.push(
          Plot.areaY(s.points, {
            x: 'x',
            y1: 'y1',
            y2: 'y2',
            fill: s.color,
            fillOpacity: s.opacity,
            clip,
          }),
        );
        break;
      case 'rule-y':
        marks.push(
          Plot.ruleY([s.y], {
            stroke: s.color,
            strokeWidth: 1,
            strokeDasharray: s.dashed ? '4,3' : undefined,
            clip,
          }),
        );
        break;
      case 'line':
      case 'step':
        marks.push(
          Plot.line(s.points, {
            x: 'x',
            y: 'y',
            stroke: s.color,
            strokeWidth: 1.6,
            strokeDasharray: s.dashed ? '6,4' : undefined,
            curve: s.type === 'step' ? (s.align === 'left' ? 'step-after' : 'step') : 'linear',
            clip,
          }),
        );
        break;
      case 'scatter':
        if (s.errors.length > 0) {
          marks.push(
            Plot.ruleX(s.errors, {
              x: 'x',
              y1: 'y1',
              y2: 'y2',
              stroke: s.color,
              strokeWidth: 1,
              strokeOpacity: 0.75,
              clip,
            }),
          );
        }
        marks.push(
          Plot.dot(s.points, { x: 'x', y: 'y', r: s.radius, fill: s.color, stroke: 'none', clip }),
        );
        break;
      case 'heatmap':
        break; // drawn as an embedded image by the caller
    }
  }
  return marks;
}

/** Move a Plot-made <svg> into a <g>, dropping its stylesheet and empty tick texts. */
function adoptPanel(doc: Document, svg: Element, top: number): Element {
  const g = el(doc, 'g', { transform: `translate(0,${top})` });
  for (const name of ['text-anchor', 'fill']) {
    const v = svg.getAttribute(name);
    if (v !== null) g.setAttribute(name, v);
  }
  const children = Array.from(svg.childNodes);
  for (const c of children) {
    if ((c as Element).tagName?.toLowerCase() === 'style') continue;
    g.appendChild(c);
  }
  for (const t of Array.from(g.querySelectorAll('text'))) {
    if (!t.textContent) t.parentNode?.removeChild(t);
  }
  return g;
}

function legendSwatch(doc: Document, s: CleanSeries, x: number, y: number): Element {
  const g = el(doc, 'g');
  switch (s.type) {
    case 'scatter':
      if (s.errors.length > 0)
        g.appendChild(
          el(doc, 'line', {
            x1: x + 11,
            x2: x + 11,
            y1: y - 6,
            y2: y + 6,
            stroke: s.color,
            'stroke-width': 1,
          }),
        );
      g.appendChild(el(doc, 'circle', { cx: x + 11, cy: y, r: 3.2, fill: s.color }));
      break;
    case 'band':
      g.appendChild(
        el(doc, 'rect', {
          x,
          y: y - 5,
          width: 22,
          height: 10,
          fill: s.color,
          'fill-opacity': s.opacity,
        }),
      );
      break;
    case 'step':
      g.appendChild(
        el(doc, 'path', {
          d: `M${x},${y + 4}H${x + 7}V${y - 4}H${x + 15}V${y + 1}H${x + 22}`,
          fill: 'none',
          stroke: s.color,
          'stroke-width': 1.6,
        }),
      );
      break;
    default: {
      const attrs: Record<string, string | number> = {
        x1: x,
        x2: x + 22,
        y1: y,
        y2: y,
        stroke: s.color,
        'stroke-width': s.type === 'rule-y' ? 1 : 2,
      };
      if ((s.type === 'line' || s.type === 'rule-y') && s.dashed)
        attrs['stroke-dasharray'] = s.type === 'line' ? '6,4' : '4,3';
      g.appendChild(el(doc, 'line', attrs));
    }
  }
  return g;
}

function resolveDocument(options?: RenderOptions): Document {
  const doc = options?.document ?? (globalThis as { document?: Document }).document;
  if (!doc) {
    throw new InvalidInputError(
      'no DOM document to draw with: in Node use renderSvgNode() from nanolum/node, or pass { document } from linkedom',
    );
  }
  return doc;
}

/**
 * Build the figure as a live SVG element in `document` (not attached). Platform-neutral; the
 * string and DOM renderers are built on it.
 *
 * @example
 * const svg = buildFigureElement(fig, { document });
 * container.appendChild(svg);
 */
export function buildFigureElement(fig: FigureSpec, options?: RenderOptions): SVGSVGElement {
  const doc = resolveDocument(options);
  if (!fig || typeof fig !== 'object' || !fig.x || !fig.y || !Array.isArray(fig.series)) {
    throw new InvalidInputError('figure must have x, y and a series array');
  }
  const W = fig.width ?? 640;
  const H = fig.height ?? 400;
  if (!(W >= 120 && H >= 100 && W <= 10000 && H <= 10000)) {
    throw new InvalidInputError(`figure size ${W} x ${H} px is outside 120..10000 x 100..10000`);
  }
  const xScale = fig.x.scale ?? 'linear';
  const mainSeries = cleanPanel(fig.series, 'main panel', xScale, fig.y.scale);
  const residSeries = fig.residuals
    ? cleanPanel(fig.residuals.series, 'residual panel', xScale, fig.residuals.y.scale)
    : null;
  const all = residSeries ? [...mainSeries, ...residSeries] : mainSeries;

  // x domain, shared by all panels.
  const explicitX = checkDomain(fig.x, 'x');
  const hasScatter = all.some((s) => s.type === 'scatter');
  const xDomain = explicitX ?? padDomain(extent(xValues(all)), xScale, hasScatter ? 0.02 : 0);

  // Header: title and legend.
  const fs = FONT_SIZE;
  let headerH = 8;
  const titleY = headerH + 13;
  if (fig.title) headerH += 22;
  const legendItems: CleanSeries[] = [];
  const seen = new Set<string>();
  for (const s of all) {
    if (!s.label || s.type === 'heatmap') continue;
    const key = `${s.label}|${s.color}`;
    if (!seen.has(key)) {
      seen.add(key);
      legendItems.push(s);
    }
  }
  const showLegend = fig.legend ?? legendItems.length > 0;

  // Panels: y domains and ticks first (the left margin depends on the tick labels).
  const panelSpecs: Array<{ axis: PlotAxisSpec; series: CleanSeries[]; residual: boolean }> = [
    { axis: fig.y, series: mainSeries, residual: false },
  ];
  if (fig.residuals && residSeries)
    panelSpecs.push({ axis: fig.residuals.y, series: residSeries, residual: true });

  const bottomMargin = 46;
  const headerLegendRowsGuess = showLegend ? 1 : 0;
  const plotAreaGuess = H - headerH - headerLegendRowsGuess * 18 - bottomMargin;
  const panelHeights =
    panelSpecs.length === 1
      ? [plotAreaGuess]
      : [
          plotAreaGuess - Math.max(70, Math.round(plotAreaGuess * 0.28)),
          Math.max(70, Math.round(plotAreaGuess * 0.28)),
        ];

  const plans = panelSpecs.map((p, k) => {
    const explicit = checkDomain(p.axis, p.residual ? 'residual y' : 'y');
    let yDomain: Domain;
    if (explicit) yDomain = explicit;
    else {
      const onlyHeatmap = p.series.length > 0 && p.series.every((s) => s.type === 'heatmap');
      yDomain = padDomain(extent(yValues(p.series)), p.axis.scale, onlyHeatmap ? 0 : 0.05);
      if (p.residual && p.axis.scale !== 'log' && yDomain[0] < 0 && yDomain[1] > 0) {
        const m = Math.max(-yDomain[0], yDomain[1]);
        yDomain = [-m, m];
      }
    }
    const count = Math.max(p.residual ? 4 : 3, Math.round(panelHeights[k] / 45));
    return { ...p, yDomain, yTicks: axisTicks(yDomain, p.axis.scale, count) };
  });

  // Colour bar space (one heatmap per panel is supported for the colour bar).
  const heatmaps = plans.map(
    (p) =>
      (p.series.find((s) => s.type === 'heatmap') as
        (CleanSeries & { type: 'heatmap' }) | undefined) ?? null,
  );
  const colorTicks = heatmaps.map((h) => (h ? linearTicks(h.vmin, h.vmax, 5) : null));
  let colorBarSpace = 0;
  heatmaps.forEach((h, k) => {
    if (!h) return;
    const tw = Math.max(0, ...colorTicks[k]!.labels.map((l) => textWidth(l)));
    colorBarSpace = Math.max(
      colorBarSpace,
      14 + 12 + 5 + 3 + tw + (h.spec.colorLabel ? 8 + 14 : 0) + 4,
    );
  });

  const tickLabelW = Math.max(0, ...plans.flatMap((p) => p.yTicks.labels.map((l) => textWidth(l))));
  const marginLeft = Math.ceil(6 + 15 + 8 + tickLabelW + 3 + 5);
  const plotWGuess = W - marginLeft - 16 - colorBarSpace;
  const xTicks = axisTicks(
    xDomain,
    xScale,
    Math.max(2, Math.min(10, Math.round(plotWGuess / 110))),
  );
  const lastXLabel = xTicks.labels.length ? xTicks.labels[xTicks.labels.length - 1] : '';
  const marginRight = Math.ceil(Math.max(16, textWidth(lastXLabel) / 2 + 6) + colorBarSpace);
  const plotW = W - marginLeft - marginRight;
  if (plotW < 40) throw new InvalidInputError(`figure width ${W} px leaves no room for the plot`);

  // Legend layout (rows that wrap at the plot width).
  const legendPlaced: Array<{ s: CleanSeries; x: number; row: number }> = [];
  let legendRows = 0;
  if (showLegend && legendItems.length > 0) {
    let x = marginLeft;
    let row = 0;
    for (const s of legendItems) {
      const w = 22 + 6 + textWidth(s.label!) + 18;
      if (x > marginLeft && x + w - 18 > W - marginRight) {
        row++;
        x = marginLeft;
      }
      legendPlaced.push({ s, x, row });
      x += w;
    }
    legendRows = row + 1;
  }
  const legendTop = headerH;
  headerH += legendRows * 18 + (legendRows > 0 ? 4 : 0);

  const plotArea = H - headerH - 8 - bottomMargin - 8 * (plans.length - 1);
  if (plotArea < 40 * plans.length)
    throw new InvalidInputError(`figure height ${H} px leaves no room for the plot`);
  const heights =
    plans.length === 1
      ? [plotArea]
      : [
          plotArea - Math.max(60, Math.round(plotArea * 0.28)),
          Math.max(60, Math.round(plotArea * 0.28)),
        ];

  const root = el(doc, 'svg', {
    xmlns: SVG_NS,
    width: W,
    height: H,
    viewBox: `0 0 ${W} ${H}`,
    'font-family': FONT_FAMILY,
    'font-size': fs,
    color: INK,
    fill: INK,
    role: 'img',
  }) as SVGSVGElement;
  if (fig.title) root.setAttribute('aria-label', fig.title);
  root.appendChild(el(doc, 'rect', { x: 0, y: 0, width: W, height: H, fill: '#ffffff' }));
  if (fig.title) {
    // Bold text is about 7 % wider than regular; shrink a title that does not fit, and keep it inside.
    let size = fs + 3;
    let tw = textWidth(fig.title, size) * 1.07;
    if (tw > W - 16) {
      size = Math.max(8, (size * (W - 16)) / tw);
      tw = textWidth(fig.title, size) * 1.07;
    }
    const cx = Math.min(Math.max(marginLeft + plotW / 2, tw / 2 + 8), W - tw / 2 - 8);
    root.appendChild(
      el(
        doc,
        'text',
        { x: cx, y: titleY, 'text-anchor': 'middle', 'font-size': size, 'font-weight': 'bold' },
        fig.title,
      ),
    );
  }
  if (legendPlaced.length > 0) {
    const lg = el(doc, 'g', { 'aria-label': 'legend' });
    for (const item of legendPlaced) {
      const cy = legendTop + 9 + item.row * 18;
      lg.appendChild(legendSwatch(doc, item.s, item.x, cy));
      lg.appendChild(
        el(doc, 'text', { x: item.x + 28, y: cy + 4, 'text-anchor': 'start' }, item.s.label!),
      );
    }
    root.appendChild(lg);
  }

  let top = headerH;
  const clip = !!explicitX || plans.some((p) => p.axis.domain !== undefined);
  plans.forEach((p, k) => {
    const isLast = k === plans.length - 1;
    const marginTop = k === 0 ? 8 : 0;
    const marginBottom = isLast ? bottomMargin : 8;
    const outerHeight = heights[k] + marginTop + marginBottom;
    const xLabelMap = new Map(xTicks.major.map((v, i) => [v, xTicks.labels[i]]));
    const yLabelMap = new Map(p.yTicks.major.map((v, i) => [v, p.yTicks.labels[i]]));
    const grid = heatmaps[k]
      ? []
      : [
          Plot.gridX(xTicks.major, { stroke: INK, strokeOpacity: 0.07 }),
          Plot.gridY(p.yTicks.major, { stroke: INK, strokeOpacity: 0.07 }),
        ];
    const marks: Plot.Markish[] = [
      ...grid,
      ...dataMarks(p.series, clip),
      Plot.frame({ stroke: INK, strokeWidth: 1, fill: 'none' }),
      Plot.axisX(xTicks.major, {
        anchor: 'bottom',
        tickSize: 5,
        tickPadding: 3,
        label: null,
        text: isLast ? (d: number) => xLabelMap.get(d) ?? '' : null,
      }),
      Plot.axisY(p.yTicks.major, {
        anchor: 'left',
        tickSize: 5,
        tickPadding: 3,
        label: null,
        text: (d: number) => yLabelMap.get(d) ?? '',
      }),
    ];
    if (xTicks.minor.length > 0)
      marks.push(
        Plot.axisX(xTicks.minor, { anchor: 'bottom', tickSize: 2.5, label: null, text: null }),
      );
    if (p.yTicks.minor.length > 0)
      marks.push(
        Plot.axisY(p.yTicks.minor, { anchor: 'left', tickSize: 2.5, label: null, text: null }),
      );
    const svg = Plot.plot({
      document: doc,
      width: W,
      height: outerHeight,
      marginLeft,
      marginRight,
      marginTop,
      marginBottom,
      inset: 0,
      x: { type: xScale, domain: xDomain, nice: false },
      y: { type: p.axis.scale ?? 'linear', domain: p.yDomain, nice: false },
      marks,
    }) as unknown as Element;
    const g = adoptPanel(doc, svg, top);
    const plotTop = top + marginTop;
    const plotH = heights[k];

    const heat = heatmaps[k];
    if (heat) {
      const px = (x: number): number =>
        marginLeft + ((x - xDomain[0]) / (xDomain[1] - xDomain[0])) * plotW;
      const py = (y: number): number =>
        marginTop + plotH - ((y - p.yDomain[0]) / (p.yDomain[1] - p.yDomain[0])) * plotH;
      const [x0, x1] = heat.spec.xExtent;
      const [y0, y1] = heat.spec.yExtent;
      const flipX = px(x0) > px(x1);
      // Row 0 of the values lies at y0; in the image the first row is drawn at the top.
      const flipY = py(y0) > py(y1);
      const left = Math.min(px(x0), px(x1));
      const topPx = Math.min(py(y0), py(y1));
      const viewport = el(doc, 'svg', {
        x: marginLeft,
        y: marginTop,
        width: plotW,
        height: plotH,
        overflow: 'hidden',
      });
      viewport.appendChild(
        el(doc, 'image', {
          x: left - marginLeft,
          y: topPx - marginTop,
          width: Math.abs(px(x1) - px(x0)),
          height: Math.abs(py(y1) - py(y0)),
          preserveAspectRatio: 'none',
          // Crisp pixels: resvg reads optimizeSpeed (the last declaration), browsers keep pixelated.
          'image-rendering': 'optimizeSpeed',
          style: 'image-rendering:pixelated;image-rendering:optimizeSpeed',
          href: heatmapPng(heat, flipX, flipY),
        }),
      );
      g.insertBefore(viewport, g.firstChild);

      // Colour bar to the right of the plot.
      const bx = marginLeft + plotW + 14;
      const bar = el(doc, 'g', { 'aria-label': 'colour bar', 'text-anchor': 'start' });
      bar.appendChild(
        el(doc, 'image', {
          x: bx,
          y: marginTop,
          width: 12,
          height: plotH,
          preserveAspectRatio: 'none',
          href: colorBarPng(heat.spec.colorScheme ?? 'viridis'),
        }),
      );
      bar.appendChild(
        el(doc, 'rect', {
          x: bx,
          y: marginTop,
          width: 12,
          height: plotH,
          fill: 'none',
          stroke: INK,
          'stroke-width': 0.8,
        }),
      );
      const ct = colorTicks[k]!;
      ct.major.forEach((v, i) => {
        const y = marginTop + plotH - ((v - heat.vmin) / (heat.vmax - heat.vmin)) * plotH;
        bar.appendChild(
          el(doc, 'line', {
            x1: bx + 12,
            x2: bx + 16,
            y1: y,
            y2: y,
            stroke: INK,
            'stroke-width': 1,
          }),
        );
        bar.appendChild(el(doc, 'text', { x: bx + 19, y: y + 4 }, ct.labels[i]));
      });
      if (heat.spec.colorLabel) {
        const tw = Math.max(0, ...ct.labels.map((l) => textWidth(l)));
        const lx = bx + 19 + tw + 8 + 10;
        const ly = marginTop + plotH / 2;
        bar.appendChild(
          el(
            doc,
            'text',
            {
              transform: `translate(${lx},${ly}) rotate(-90)`,
              'text-anchor': 'middle',
              'font-size': fs + 1,
            },
            heat.spec.colorLabel,
          ),
        );
      }
      g.appendChild(bar);
    }
    root.appendChild(g);

    // y axis label, rotated, centred on the panel.
    const ly = plotTop + plotH / 2;
    const yTitle = axisTitle(p.axis);
    root.appendChild(
      el(
        doc,
        'text',
        {
          transform: `translate(${6 + 12},${ly}) rotate(-90)`,
          'text-anchor': 'middle',
          'font-size': fitSize(yTitle, fs + 1, plotH + marginTop),
        },
        yTitle,
      ),
    );
    if (isLast) {
      const xTitle = axisTitle(fig.x);
      root.appendChild(
        el(
          doc,
          'text',
          {
            x: marginLeft + plotW / 2,
            y: plotTop + plotH + 38,
            'text-anchor': 'middle',
            'font-size': fitSize(xTitle, fs + 1, plotW),
          },
          xTitle,
        ),
      );
    }
    top += outerHeight;
  });
  superscriptsToTspans(doc, root);
  return root;
}

/** Font size at most `size` at which `text` fits in `room` px (not below 8). */
function fitSize(text: string, size: number, room: number): number {
  const w = textWidth(text, size);
  return w <= room ? size : Math.max(8, Math.floor((size * room * 10) / w) / 10);
}

const SUPERSCRIPT_RUN = /[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+/g;
const FROM_SUPERSCRIPT: Record<string, string> = {
  '⁰': '0',
  '¹': '1',
  '²': '2',
  '³': '3',
  '⁴': '4',
  '⁵': '5',
  '⁶': '6',
  '⁷': '7',
  '⁸': '8',
  '⁹': '9',
  '⁻': '−',
  '⁺': '+',
};

/**
 * Replace Unicode superscript characters (`10⁻³`, `s⁻¹`) in every text by raised, smaller
 * ordinary characters. Common sans fonts lack most superscript glyphs, and resvg then draws the
 * whole text in a fallback font; tspans render the same in browsers and resvg.
 */
function superscriptsToTspans(doc: Document, root: Element): void {
  for (const t of Array.from(root.querySelectorAll('text'))) {
    const nodes = Array.from(t.childNodes);
    if (nodes.length !== 1 || nodes[0].nodeType !== 3) continue;
    const text = nodes[0].textContent ?? '';
    if (!/[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]/.test(text)) continue;
    t.removeChild(nodes[0]);
    let last = 0;
    for (const m of text.matchAll(SUPERSCRIPT_RUN)) {
      if (m.index > last) t.appendChild(doc.createTextNode(text.slice(last, m.index)));
      const sup = el(doc, 'tspan', { 'baseline-shift': 'super', 'font-size': '0.72em' });
      sup.textContent = Array.from(m[0], (c) => FROM_SUPERSCRIPT[c] ?? c).join('');
      t.appendChild(sup);
      last = m.index + m[0].length;
    }
    if (last < text.length) t.appendChild(doc.createTextNode(text.slice(last)));
  }
}

function escapeXml(s: string, attr: boolean): string {
  let out = s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  if (attr) out = out.replace(/"/g, '&quot;');
  // Characters not allowed in XML 1.0 are dropped.
  // eslint-disable-next-line no-control-regex
  return out.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '');
}

/**
 * Serialise a DOM node as XML (well-formed, with every text and attribute escaped), the same in
 * browsers and linkedom.
 *
 * @example
 * serializeXml(buildFigureElement(fig, { document }));
 */
export function serializeXml(node: Node): string {
  if (node.nodeType === 3) return escapeXml(node.textContent ?? '', false);
  if (node.nodeType !== 1) return '';
  const e = node as Element;
  const tag = e.localName;
  let s = `<${tag}`;
  const attrs = Array.from(e.attributes);
  // linkedom lists attributes newest first; keep a stable, readable order (xmlns first).
  attrs.sort((a, b) => (a.name === 'xmlns' ? -1 : b.name === 'xmlns' ? 1 : 0));
  for (const a of attrs) s += ` ${a.name}="${escapeXml(a.value, true)}"`;
  const kids = Array.from(e.childNodes);
  if (kids.length === 0) return `${s}/>`;
  return `${s}>${kids.map(serializeXml).join('')}</${tag}>`;
}

/**
 * Render a figure to a self-contained SVG string (no external fonts, CSS or images).
 * Uses `options.document`, else `globalThis.document`.
 *
 * @example
 * const svg = renderSvg({ x: { label: 'Time', unit: 'ns' }, y: { label: 'Counts', scale: 'log' },
 *   series: [{ type: 'line', x: [0, 1, 2], y: [100, 40, 16] }] }, { document });
 */
export function renderSvg(fig: FigureSpec, options?: RenderOptions): string {
  return serializeXml(buildFigureElement(fig, options));
}
