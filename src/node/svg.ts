/**
 * Node adapters for figures: a server-side DOM (linkedom) for the platform-neutral renderer,
 * and SVG -> PNG rasterisation with resvg (no browser needed).
 */
import { Resvg } from '@resvg/resvg-js';
import { parseHTML } from 'linkedom';
import { InvalidInputError } from '../core/errors.js';
import { renderSvg } from '../plot/render.js';
import type { FigureSpec } from '../plot/types.js';

/**
 * A fresh server-side DOM document (linkedom) for renderers that need one
 * (`renderSvg`, `renderReportHtml`, `runDemo`).
 *
 * @example
 * const html = renderReportHtml(report, { document: nodeDocument() });
 */
export function nodeDocument(): Document {
  return parseHTML('<!DOCTYPE html><html><head></head><body></body></html>')
    .document as unknown as Document;
}

/**
 * Render a figure to a self-contained SVG string in Node.
 *
 * @example
 * await writeFile('decay.svg', renderSvgNode(decayFigure({ timeNs, counts })));
 */
export function renderSvgNode(fig: FigureSpec): string {
  return renderSvg(fig, { document: nodeDocument() });
}

/**
 * Rasterise an SVG string to PNG bytes with resvg. `scale` multiplies the SVG's pixel size
 * (2 gives a 1280 x 800 image for the default 640 x 400 figure). Uses the system fonts.
 *
 * @example
 * await writeFile('decay.png', svgToPng(renderSvgNode(fig), 2));
 */
export function svgToPng(svg: string, scale = 2): Uint8Array {
  if (!(scale > 0 && scale <= 16))
    throw new InvalidInputError(`PNG scale must be in (0, 16], got ${scale}`);
  const r = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: '#ffffff',
    font: {
      loadSystemFonts: true,
      defaultFontFamily: 'Liberation Sans',
      sansSerifFamily: 'Liberation Sans',
    },
  });
  return new Uint8Array(r.render().asPng());
}
