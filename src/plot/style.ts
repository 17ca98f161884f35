/**
 * The one figure style: colour-blind-safe palette (Okabe & Ito), a sans font stack that
 * resolves to the same face in browsers and in resvg, white background.
 */

/**
 * Okabe-Ito palette, ordered for contrast on white (yellow last). Series without an explicit
 * colour take these in order.
 */
export const PALETTE: readonly string[] = [
  '#0072B2', // blue
  '#D55E00', // vermillion
  '#009E73', // bluish green
  '#CC79A7', // reddish purple
  '#E69F00', // orange
  '#56B4E9', // sky blue
  '#000000', // black
  '#F0E442', // yellow
];

/** Font stack: metric-compatible sans faces first, so text widths match between renderers. */
export const FONT_FAMILY = "'Liberation Sans', Arial, Helvetica, 'DejaVu Sans', sans-serif";

/** Base font size (tick labels) in px; axis labels are one px larger. */
export const FONT_SIZE = 11;

/** Ink colour for axes and text. */
export const INK = '#222222';

/** Default colour of reference rules (zero lines, thresholds). */
export const RULE_COLOR = '#666666';

/**
 * Colour of series number `i` in the palette (wrapping around).
 *
 * @example
 * paletteColor(0); // '#0072B2'
 */
export function paletteColor(i: number): string {
  return PALETTE[((i % PALETTE.length) + PALETTE.length) % PALETTE.length];
}

/**
 * Axis label text `Label (unit)`; just `Label` when the unit is empty.
 *
 * @example
 * axisTitle({ label: 'Time', unit: 'ns' }); // 'Time (ns)'
 */
export function axisTitle(axis: { label: string; unit?: string }): string {
  return axis.unit ? `${axis.label} (${axis.unit})` : axis.label;
}
