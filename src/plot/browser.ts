/**
 * Live-DOM helpers for browsers: draw a figure into a page element, and export a PNG through
 * a canvas. They need a real browser DOM (images, canvas); in Node use `svgToPng` from
 * nanolum/node instead.
 */
import { InvalidInputError } from '../core/errors.js';
import { buildFigureElement, renderSvg } from './render.js';
import type { FigureSpec } from './types.js';

/**
 * Draw a figure into `container`, replacing its content. Returns the SVG element.
 *
 * @example
 * renderFigure(decayFigure({ timeNs, counts }), document.getElementById('plot')!);
 */
export function renderFigure(fig: FigureSpec, container: Element): SVGSVGElement {
  const doc = container.ownerDocument;
  if (!doc) throw new InvalidInputError('renderFigure: the container is not part of a document');
  const svg = buildFigureElement(fig, { document: doc });
  container.replaceChildren(svg);
  return svg;
}

/**
 * Rasterise an SVG string in the browser (image + canvas) to a PNG blob, `scale` times its
 * pixel size, on white.
 *
 * @example
 * const blob = await svgToPngBlob(renderSvg(fig), 2);
 */
export async function svgToPngBlob(
  svg: string,
  scale = 2,
  options: { document?: Document } = {},
): Promise<Blob> {
  const doc = options.document ?? (globalThis as { document?: Document }).document;
  if (!doc)
    throw new InvalidInputError(
      'svgToPngBlob needs a browser document (canvas); in Node use svgToPng',
    );
  if (!(scale > 0 && scale <= 16))
    throw new InvalidInputError(`PNG scale must be in (0, 16], got ${scale}`);
  const w = Number(/\bwidth="([\d.]+)"/.exec(svg)?.[1] ?? 640);
  const h = Number(/\bheight="([\d.]+)"/.exec(svg)?.[1] ?? 400);
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    const img = doc.createElement('img');
    img.width = w;
    img.height = h;
    img.src = url;
    await img.decode();
    const canvas = doc.createElement('canvas');
    canvas.width = Math.round(w * scale);
    canvas.height = Math.round(h * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new InvalidInputError('svgToPngBlob: this browser gives no 2-D canvas context');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob(
        (b) => (b ? resolve(b) : reject(new InvalidInputError('canvas could not encode a PNG'))),
        'image/png',
      ),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}

/**
 * Render a figure and export it as a PNG blob (browser), e.g. for a download link.
 *
 * @example
 * const url = URL.createObjectURL(await figureToPngBlob(fig, { scale: 2 }));
 */
export async function figureToPngBlob(
  fig: FigureSpec,
  options: { scale?: number; document?: Document } = {},
): Promise<Blob> {
  return svgToPngBlob(renderSvg(fig, { document: options.document }), options.scale ?? 2, options);
}
