/**
 * Axis ticks and tick labels, computed here (not by the plotting library) so that the layout
 * knows the labels' widths in advance and log axes get proper `10ⁿ` labels.
 */

/** A set of ticks for one axis: labelled major ticks and unlabelled minor ticks. */
export interface AxisTicks {
  major: number[];
  labels: string[];
  minor: number[];
}

const SUPERSCRIPT: Record<string, string> = {
  '0': '⁰',
  '1': '¹',
  '2': '²',
  '3': '³',
  '4': '⁴',
  '5': '⁵',
  '6': '⁶',
  '7': '⁷',
  '8': '⁸',
  '9': '⁹',
  '-': '⁻',
};

/** Typographic minus sign (U+2212), as used in tick labels. */
export const MINUS = '\u2212';

function superscript(n: number): string {
  return String(n)
    .split('')
    .map((c) => SUPERSCRIPT[c] ?? c)
    .join('');
}

function tickStep(lo: number, hi: number, count: number): number {
  const raw = Math.abs(hi - lo) / Math.max(1, count);
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const err = raw / power;
  const factor = err >= Math.sqrt(50) ? 10 : err >= Math.sqrt(10) ? 5 : err >= Math.sqrt(2) ? 2 : 1;
  return factor * power;
}

/**
 * "Nice" linear tick values (multiples of 1, 2 or 5 times a power of ten) inside [lo, hi].
 *
 * @example
 * linearTickValues(0, 1, 5); // [0, 0.2, 0.4, 0.6, 0.8, 1]
 */
export function linearTickValues(lo: number, hi: number, count = 5): number[] {
  const a = Math.min(lo, hi);
  const b = Math.max(lo, hi);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return [];
  if (a === b) return [a];
  const step = tickStep(a, b, count);
  const i0 = Math.ceil(a / step - 1e-9);
  const i1 = Math.floor(b / step + 1e-9);
  const out: number[] = [];
  // Multiply by the step, or divide by its inverse for steps < 1, to avoid 0.30000000000000004.
  const inv = step < 1 ? Math.round(1 / step) : 0;
  for (let i = i0; i <= i1; i++)
    out.push((inv > 0 && Math.abs(1 / inv - step) < 1e-12 * step ? i / inv : i * step) + 0);
  return out;
}

/**
 * Format tick values that share one step: fixed decimals from the step, typographic minus,
 * and `a×10ⁿ` for very large or very small magnitudes.
 *
 * @example
 * formatLinearTicks([0, 0.5, 1]); // ['0.0', '0.5', '1.0']
 */
export function formatLinearTicks(values: number[]): string[] {
  if (values.length === 0) return [];
  const step = values.length > 1 ? Math.abs(values[1] - values[0]) : Math.abs(values[0]) || 1;
  const maxAbs = Math.max(...values.map(Math.abs));
  const sign = (s: string): string => s.replace('-', MINUS);
  if (maxAbs >= 1e5 || (maxAbs > 0 && maxAbs < 1e-3)) {
    const e = Math.floor(Math.log10(maxAbs));
    const decimals = Math.max(0, Math.min(6, Math.ceil(-Math.log10(step / 10 ** e) - 1e-9)));
    return values.map((v) => {
      if (v === 0) return '0';
      return sign(`${(v / 10 ** e).toFixed(decimals)}×10${superscript(e)}`);
    });
  }
  const decimals = Math.max(0, Math.min(10, Math.ceil(-Math.log10(step) - 1e-9)));
  return values.map((v) => sign((Math.abs(v) < step * 1e-9 ? 0 : v).toFixed(decimals)));
}

/**
 * Linear ticks with labels for the interval [lo, hi].
 *
 * @example
 * linearTicks(-1, 1, 4).labels; // ['−1.0', '−0.5', '0.0', '0.5', '1.0']
 */
export function linearTicks(lo: number, hi: number, count = 5): AxisTicks {
  const major = linearTickValues(lo, hi, count);
  const labels = formatLinearTicks(major);
  let minor: number[] = [];
  if (major.length >= 2) {
    const step = major[1] - major[0];
    minor = linearTickValues(lo, hi, Math.round((Math.abs(hi - lo) / step) * 5)).filter(
      (v) => !major.some((m) => Math.abs(m - v) < step * 1e-6),
    );
  }
  return { major, labels, minor };
}

/**
 * Log-axis ticks for [lo, hi] (both > 0): powers of ten labelled `10ⁿ` (or plainly when the
 * range is small), 2x and 5x labelled when the range is under about one decade, and the
 * other integer multiples as minor ticks.
 *
 * @example
 * logTicks(1, 1e4).labels; // ['10⁰', '10¹', '10²', '10³', '10⁴']
 */
export function logTicks(lo: number, hi: number): AxisTicks {
  const a = Math.min(lo, hi);
  const b = Math.max(lo, hi);
  if (!(a > 0) || !Number.isFinite(b)) return { major: [], labels: [], minor: [] };
  const k0 = Math.floor(Math.log10(a));
  const k1 = Math.ceil(Math.log10(b));
  const decades = Math.log10(b / a);
  const inside = (v: number): boolean => v >= a * (1 - 1e-9) && v <= b * (1 + 1e-9);
  let step = 1;
  if (decades > 8) step = Math.ceil(decades / 6);
  const powers: number[] = [];
  for (let k = k0; k <= k1; k++) if (k % step === 0 && inside(10 ** k)) powers.push(k);
  const usePowerLabels = decades > 3 || powers.some((k) => Math.abs(k) > 3);
  const plain = (v: number, k: number): string => {
    if (Math.abs(k) > 3) return `${Math.round(v / 10 ** k)}×10${superscript(k)}`;
    return k >= 0 ? v.toFixed(0) : v.toFixed(-k);
  };
  const majorSet = new Map<number, string>();
  for (const k of powers)
    majorSet.set(10 ** k, usePowerLabels ? `10${superscript(k)}` : plain(10 ** k, k));
  const multiples =
    majorSet.size < 2 || decades <= 2 ? (decades < 0.5 ? [2, 3, 4, 5, 6, 7, 8, 9] : [2, 5]) : [];
  for (let k = k0; k <= k1; k++) {
    for (const m of multiples) {
      const v = m * 10 ** k;
      if (inside(v)) majorSet.set(v, plain(v, k));
    }
  }
  const entries = [...majorSet.entries()].sort((x, y) => x[0] - y[0]);
  if (entries.length < 2) return linearTicks(a, b, 4);
  const minor: number[] = [];
  if (decades <= 8) {
    for (let k = k0; k <= k1; k++) {
      for (let m = 2; m <= 9; m++) {
        const v = m * 10 ** k;
        if (inside(v) && !majorSet.has(v)) minor.push(v);
      }
    }
  }
  return { major: entries.map((e) => e[0]), labels: entries.map((e) => e[1]), minor };
}
