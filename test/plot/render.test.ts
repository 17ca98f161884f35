import { DOMParser } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import { nodeDocument, renderSvgNode, svgToPng } from '../../src/node/svg.js';
import { decayFigure, fitFigure } from '../../src/plot/figures.js';
import { PNG_SIGNATURE, base64, encodeIndexedPng } from '../../src/plot/png.js';
import { renderSvg } from '../../src/plot/render.js';
import { PALETTE, axisTitle } from '../../src/plot/style.js';
import type { FigureSpec } from '../../src/plot/types.js';
import { decodePng, inkStats, pixel } from './decode-png.js';

function parse(svg: string): Document {
  return new DOMParser().parseFromString(svg, 'image/svg+xml') as unknown as Document;
}

function texts(doc: Document): string[] {
  return Array.from(doc.querySelectorAll('text'), (t) => t.textContent ?? '');
}

/** Number of points in an SVG path made of M/L commands (Plot's linear curve). */
function pathPoints(d: string): number {
  return (d.match(/[ML]/g) ?? []).length;
}

const decay: FigureSpec = {
  title: 'PL decay',
  x: { label: 'Time', unit: 'ns' },
  y: { label: 'Counts', scale: 'log' },
  series: [
    {
      type: 'scatter',
      x: [0, 1, 2, 3, 4],
      y: [1000, 400, 150, 60, 25],
      yErr: [31, 20, 12, 8, 5],
      label: 'Data',
    },
    { type: 'line', x: [0, 1, 2, 3, 4], y: [1000, 368, 135, 50, 18], label: 'Fit' },
  ],
};

describe('renderSvg', () => {
  it('draws axis labels with units, tick labels, paths, legend and title', () => {
    const svg = renderSvgNode(decay);
    const doc = parse(svg);
    const t = texts(doc);
    expect(t).toContain('Time (ns)');
    expect(t).toContain('Counts');
    expect(t).toContain('PL decay');
    expect(t).toContain('Data');
    expect(t).toContain('Fit');
    // log axis over two decades: plain powers of ten
    expect(t).toContain('100');
    expect(t).toContain('1000');
    // linear x ticks
    for (const v of ['0', '1', '2', '3', '4']) expect(t).toContain(v);
    expect(doc.querySelectorAll('path').length).toBeGreaterThan(5);
    expect(doc.querySelectorAll('circle').length).toBeGreaterThanOrEqual(5);
    // error bars: one vertical rule per point
    const rules = doc.querySelector('g[aria-label="rule"]');
    expect(rules?.querySelectorAll('line').length).toBe(5);
    expect(svg).not.toMatch(/NaN|Infinity/);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  });

  it('writes superscripts (10³, s⁻¹) as raised tspans that common fonts can draw', () => {
    const svg = renderSvgNode({
      x: { label: 'Rate', unit: 's⁻¹' },
      y: { label: 'Counts', scale: 'log' },
      series: [{ type: 'line', x: [1, 2, 3], y: [1, 100, 1e5] }],
    });
    expect(svg).toMatch(/10<tspan[^>]*baseline-shift="super"[^>]*>3<\/tspan>/);
    expect(svg).toMatch(/Rate \(s<tspan[^>]*baseline-shift="super"[^>]*>−1<\/tspan>\)/);
    expect(svg).not.toMatch(/[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]/);
  });

  it('is self-contained: no external fonts, stylesheets or links', () => {
    const svg = renderSvgNode(decay);
    expect(svg).not.toMatch(/<style|@import|url\(|xlink:href="http|href="http/);
    expect(svg).toContain('font-family=');
    expect(svg).toMatch(/<rect[^>]*fill="#ffffff"/);
  });

  it('uses the colour-blind-safe palette in series order', () => {
    const svg = renderSvgNode(decay);
    expect(svg).toContain(`fill="${PALETTE[0]}"`);
    expect(svg).toContain(`stroke="${PALETTE[1]}"`);
  });

  it('drops non-positive and non-finite values on log axes, and non-finite values on linear axes', () => {
    const fig: FigureSpec = {
      x: { label: 'x' },
      y: { label: 'y', scale: 'log' },
      series: [
        { type: 'line', x: [1, 2, 3, 4, 5, 6], y: [100, 0, -5, 10, NaN, 1] },
        { type: 'scatter', x: [1, 2, 3, 4, 5, 6], y: [100, 0, -5, 10, Infinity, 1] },
      ],
    };
    const doc = parse(renderSvgNode(fig));
    const line = doc.querySelector('g[aria-label="line"] path');
    expect(pathPoints(line!.getAttribute('d')!)).toBe(3);
    expect(doc.querySelectorAll('g[aria-label="dot"] circle').length).toBe(3);

    const lin: FigureSpec = {
      x: { label: 'x' },
      y: { label: 'y' },
      series: [{ type: 'line', x: [1, 2, 3, NaN, 5], y: [0, -1, NaN, 2, 3] }],
    };
    const doc2 = parse(renderSvgNode(lin));
    expect(pathPoints(doc2.querySelector('g[aria-label="line"] path')!.getAttribute('d')!)).toBe(3);
  });

  it('stacks a residual panel under the main one, sharing the x ticks, with a zero rule', () => {
    const fig = fitFigure({
      x: [1, 2, 3, 4, 5],
      y: [2.1, 3.9, 6.2, 7.8, 10.1],
      best: [2, 4, 6, 8, 10],
      xAxis: { label: 'Temperature', unit: 'K' },
      yAxis: { label: 'Signal', unit: 'mV' },
    });
    const doc = parse(renderSvgNode(fig));
    expect(texts(doc)).toContain('Residual (mV)');
    expect(texts(doc)).toContain('Temperature (K)');
    const frames = doc.querySelectorAll('g[aria-label="frame"], rect[aria-label="frame"]');
    expect(frames.length).toBe(2);
    const panels = Array.from(doc.querySelectorAll('svg > g[transform]'));
    expect(panels.length).toBe(2);
    const tickXs = panels.map((p) =>
      Array.from(p.querySelectorAll('g[aria-label="x-axis tick"] path'), (e) =>
        e.getAttribute('transform')!.replace(/,.*$/, ''),
      ),
    );
    expect(tickXs[0].length).toBeGreaterThan(2);
    expect(tickXs[1].slice(0, tickXs[0].length)).toEqual(tickXs[0]);
    // tick labels only under the lower panel
    const labelsIn = (p: Element): string[] =>
      Array.from(
        p.querySelectorAll('g[aria-label="x-axis tick label"] text'),
        (e) => e.textContent ?? '',
      );
    expect(labelsIn(panels[0])).toEqual([]);
    expect(labelsIn(panels[1]).length).toBeGreaterThan(2);
    // the residual panel holds a horizontal rule (the zero line)
    expect(panels[1].querySelector('g[aria-label="rule"] line')).not.toBeNull();
    // the residual y axis is symmetric about 0 and labelled
    expect(
      Array.from(
        panels[1].querySelectorAll('g[aria-label="y-axis tick label"] text'),
        (e) => e.textContent,
      ),
    ).toContain('0.0');
  });

  it('draws bands and dashed lines, and step series', () => {
    const fig: FigureSpec = {
      x: { label: 'Energy', unit: 'eV' },
      y: { label: 'Absorbance' },
      series: [
        { type: 'band', x: [1, 2, 3], y1: [0, 1, 2], y2: [1, 2, 3], label: '±1σ' },
        { type: 'line', x: [1, 2, 3], y: [0.5, 1.5, 2.5], dashed: true, label: 'Model' },
        { type: 'step', x: [1, 2, 3], y: [0.4, 1.4, 2.6], label: 'Histogram', align: 'left' },
        { type: 'rule-y', y: 1 },
      ],
    };
    const doc = parse(renderSvgNode(fig));
    expect(doc.querySelector('g[aria-label="area"] path')).not.toBeNull();
    expect(renderSvgNode(fig)).toContain('stroke-dasharray="6,4"');
    expect(texts(doc)).toEqual(expect.arrayContaining(['±1σ', 'Model', 'Histogram']));
  });

  it('renders a heatmap as an embedded PNG (rows along y, NaN transparent) with a colour bar', () => {
    const width = 4;
    const height = 3;
    // row 0 (y0, bottom) is low, the last row (top) is high; one NaN at row 1, column 2
    const values = [0, 0, 0, 0, 0.5, 0.5, NaN, 0.5, 1, 1, 1, 1];
    const fig: FigureSpec = {
      x: { label: 'x', unit: 'µm' },
      y: { label: 'y', unit: 'µm' },
      series: [
        {
          type: 'heatmap',
          width,
          height,
          values,
          xExtent: [0, 4],
          yExtent: [0, 3],
          colorLabel: 'Lifetime (ns)',
        },
      ],
    };
    const svg = renderSvgNode(fig);
    const doc = parse(svg);
    expect(texts(doc)).toContain('Lifetime (ns)');
    const hrefs = Array.from(doc.querySelectorAll('image'), (i) => i.getAttribute('href')!);
    expect(hrefs.length).toBe(2); // image + colour bar
    const png = Uint8Array.from(
      Buffer.from(hrefs[0].replace('data:image/png;base64,', ''), 'base64'),
    );
    const img = decodePng(png);
    expect([img.width, img.height]).toEqual([4, 3]);
    // top image row = last data row (value 1, viridis yellow); bottom row = value 0 (dark purple)
    const top = pixel(img, 0, 0);
    const bottom = pixel(img, 0, 2);
    expect(top[0]).toBeGreaterThan(200);
    expect(bottom[0]).toBeLessThan(100);
    expect(bottom[2]).toBeGreaterThan(top[2]);
    // NaN pixel: middle image row, column 2, fully transparent
    expect(pixel(img, 2, 1)[3]).toBe(0);
    expect(pixel(img, 1, 1)[3]).toBe(255);
  });

  it('escapes text so that labels cannot inject markup, and stays well-formed XML', () => {
    const fig: FigureSpec = {
      title: '<script>alert("x")</script> & co',
      x: { label: 'a<b', unit: '"quoted"' },
      y: { label: "it's" },
      series: [{ type: 'line', x: [0, 1], y: [0, 1], label: '</text><script>bad()</script>' }],
    };
    const svg = renderSvgNode(fig);
    expect(svg).not.toContain('<script');
    expect(svg).toContain('&lt;script&gt;');
    // resvg uses a strict XML parser
    expect(() => svgToPng(svg, 0.5)).not.toThrow();
  });

  it('gives clear errors for bad figures', () => {
    const doc = nodeDocument();
    const base = { x: { label: 'x' }, y: { label: 'y' } };
    expect(() =>
      renderSvg({ ...base, series: [{ type: 'line', x: [1, 2], y: [1] }] }, { document: doc }),
    ).toThrow(/y has 1 values but x has 2/);
    expect(() =>
      renderSvg(
        {
          ...base,
          series: [
            {
              type: 'heatmap',
              width: 2,
              height: 2,
              values: [1, 2, 3],
              xExtent: [0, 1],
              yExtent: [0, 1],
            },
          ],
        },
        { document: doc },
      ),
    ).toThrow(InvalidInputError);
    expect(() =>
      renderSvg(
        { ...base, y: { label: 'y', scale: 'log', domain: [-1, 10] }, series: [] },
        { document: doc },
      ),
    ).toThrow(/log axis needs a positive domain/);
    expect(() =>
      renderSvg(
        {
          ...base,
          series: [
            {
              type: 'heatmap',
              width: 1,
              height: 1,
              values: [1],
              xExtent: [0, 1],
              yExtent: [0, 1],
              colorScheme: 'nope',
            },
          ],
        },
        { document: doc },
      ),
    ).toThrow(/unknown colour scheme "nope"/);
    expect(() => renderSvg(decay)).toThrow(/no DOM document/);
  });

  it('honours explicit domains and draws an empty figure without data', () => {
    const doc = parse(
      renderSvgNode({
        x: { label: 't', domain: [0, 10] },
        y: { label: 'v', domain: [-1, 1] },
        series: [],
      }),
    );
    const t = texts(doc);
    expect(t).toContain('10');
    expect(t).toContain('−1.0');
  });
});

describe('svgToPng', () => {
  it('rasterises with resvg: PNG signature, scaled size, visible ink in several colours', () => {
    const png = svgToPng(
      renderSvgNode(
        decayFigure({
          timeNs: [0, 1, 2, 3, 4, 5],
          counts: [900, 400, 170, 60, 30, 9],
          best: [900, 380, 160, 68, 29, 12],
        }),
      ),
      1.5,
    );
    expect(Array.from(png.subarray(0, 8))).toEqual(Array.from(PNG_SIGNATURE));
    const img = decodePng(png);
    expect(img.width).toBe(960);
    expect(img.height).toBe(690);
    const s = inkStats(img);
    expect(s.inkFraction).toBeGreaterThan(0.01);
    expect(s.inkFraction).toBeLessThan(0.5);
    expect(s.colours).toBeGreaterThan(5);
  });

  it('rejects a bad scale', () => {
    expect(() => svgToPng(renderSvgNode(decay), 0)).toThrow(InvalidInputError);
  });
});

describe('encodeIndexedPng and base64', () => {
  it('writes a PNG that decodes to the same pixels', () => {
    const png = encodeIndexedPng(3, 2, new Uint8Array([0, 1, 2, 2, 1, 0]), [
      [255, 0, 0, 255],
      [0, 255, 0, 255],
      [0, 0, 255, 0],
    ]);
    const img = decodePng(png);
    expect(pixel(img, 0, 0)).toEqual([255, 0, 0, 255]);
    expect(pixel(img, 1, 0)).toEqual([0, 255, 0, 255]);
    expect(pixel(img, 0, 1)).toEqual([0, 0, 255, 0]);
  });

  it('handles images larger than one zlib stored block', () => {
    const w = 300;
    const h = 300;
    const idx = new Uint8Array(w * h).map((_, i) => i % 2);
    const img = decodePng(
      encodeIndexedPng(w, h, idx, [
        [0, 0, 0, 255],
        [255, 255, 255, 255],
      ]),
    );
    expect(pixel(img, 299, 299)).toEqual(idx[w * h - 1] ? [255, 255, 255, 255] : [0, 0, 0, 255]);
  });

  it('base64 matches the reference encoding', () => {
    for (const s of ['', 'f', 'fo', 'foo', 'foob', 'fooba', 'foobar']) {
      expect(base64(new TextEncoder().encode(s))).toBe(Buffer.from(s).toString('base64'));
    }
  });
});

describe('figure builders', () => {
  it('decayFigure uses a log count axis, Pearson residuals and time in ns', () => {
    const fig = decayFigure({ timeNs: [0, 1, 2], counts: [100, 50, 20], best: [100, 40, 16] });
    expect(fig.y.scale).toBe('log');
    expect(axisTitle(fig.x)).toBe('Time (ns)');
    const resid = fig.residuals!.series.find((s) => s.type === 'scatter');
    expect(resid && 'y' in resid ? resid.y : []).toEqual([
      0,
      10 / Math.sqrt(40),
      4 / Math.sqrt(16),
    ]);
    expect(() => decayFigure({ timeNs: [0, 1], counts: [1] })).toThrow(InvalidInputError);
  });

  it('fitFigure keeps plain arrays (JSON-serialisable) and default residuals y - best', () => {
    const fig = fitFigure({
      x: Float64Array.of(1, 2),
      y: Float64Array.of(3, 5),
      best: Float64Array.of(2.5, 5.5),
    });
    expect(JSON.parse(JSON.stringify(fig))).toEqual(fig);
    const resid = fig.residuals!.series[1];
    expect('y' in resid ? resid.y : []).toEqual([0.5, -0.5]);
  });
});
