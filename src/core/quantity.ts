/**
 * A number with its unit and standard uncertainty. Results carry these instead of bare numbers.
 * `stderr` is `null` when no uncertainty is known (never NaN).
 */
export interface Quantity {
  value: number;
  stderr: number | null;
  unit: string;
}

/** Make a quantity; a non-finite stderr becomes `null`. */
export function quantity(value: number, unit: string, stderr?: number | null): Quantity {
  const s = stderr === undefined || stderr === null || !Number.isFinite(stderr) ? null : stderr;
  return { value, stderr: s, unit };
}

/** Format a value with its uncertainty to the uncertainty's two significant digits: `1.234(56)` style is avoided for clarity, we print `1.234 ± 0.056 ns`. */
export function formatQuantity(q: Quantity, digits = 2): string {
  const unit = q.unit ? ` ${q.unit}` : '';
  if (q.stderr === null || q.stderr === 0) return `${formatNumber(q.value, 6)}${unit}`;
  const e = Math.floor(Math.log10(Math.abs(q.stderr)));
  const decimals = Math.max(0, digits - 1 - e);
  if (Math.abs(q.value) >= 1e6 || Math.abs(q.value) < 1e-4 || decimals > 10) {
    return `${q.value.toExponential(Math.max(1, Math.floor(Math.log10(Math.abs(q.value / q.stderr))) + digits - 1))} ± ${q.stderr.toExponential(digits - 1)}${unit}`;
  }
  return `${q.value.toFixed(decimals)} ± ${q.stderr.toFixed(decimals)}${unit}`;
}

/** Format a number to `significant` digits, switching to exponent notation when very large or small. */
export function formatNumber(x: number, significant = 6): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e6 || a < 1e-4) return x.toExponential(significant - 1);
  return Number(x.toPrecision(significant)).toString();
}
