import { describe, expect, it } from 'vitest';
import { renderSvgNode } from '../../src/node/svg.js';
import type { FigureSpec } from '../../src/plot/types.js';

function colourBarLabels(svg: string): number[] {
  const start = svg.indexOf('aria-label="colour bar"');
  const bar = svg.slice(start, svg.indexOf('</g>', start));
  return [...bar.matchAll(/<text[^>]*>([^<]+)<\/text>/g)]
    .map((m) => Number(m[1].replace('−', '-')))
    .filter(Number.isFinite);
}

function figure(colorScheme: string, colorDomain?: [number, number]): FigureSpec {
  return {
    x: { label: 'Wavelength', unit: 'nm' },
    y: { label: 'Time', unit: 'ps' },
    series: [
      {
        type: 'heatmap',
        width: 2,
        height: 2,
        values: [-1, 0, 1, 3],
        xExtent: [0, 1],
        yExtent: [0, 1],
        colorScheme,
        colorDomain,
      },
    ],
  };
}

describe('heatmap colour domain', () => {
  it('centres a diverging scheme on zero', () => {
    const labels = colourBarLabels(renderSvgNode(figure('rdbu')));
    expect(Math.min(...labels)).toBeLessThanOrEqual(-2);
    expect(Math.max(...labels)).toBeGreaterThanOrEqual(2);
  });
  it('keeps the data range for a sequential scheme', () => {
    const labels = colourBarLabels(renderSvgNode(figure('viridis')));
    expect(Math.min(...labels)).toBeGreaterThanOrEqual(-1);
  });
  it('uses an explicit colorDomain and rejects a reversed one', () => {
    const labels = colourBarLabels(renderSvgNode(figure('viridis', [-10, 10])));
    expect(labels).toContain(-10);
    expect(labels).toContain(10);
    expect(() => renderSvgNode(figure('viridis', [1, -1]))).toThrow(/colorDomain/);
  });
});
